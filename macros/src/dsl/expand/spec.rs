//! The `AppSpec` literal behind `App::spec()`.

use proc_macro2::TokenStream;
use quote::quote;

use super::duration;
use crate::dsl::ast::StrategyKind;
use crate::dsl::model::{Backoff, Budget, DEFAULT_STOP, Model, Ready, Restart, Role, StopAction};

/// The orders are written out, not read from `App::START_ORDER`: generated
/// code names no inherent item, so an app declared twice in one module (which
/// the macro cannot see) costs no "multiple applicable items" errors on top
/// of rustc's "defined multiple times".
pub fn expand(
    model: &Model,
    p: &TokenStream,
    start: &[TokenStream],
    stop: &[TokenStream],
) -> TokenStream {
    let name = &model.name;
    let app_name = name.to_string();
    let strategy = match model.strategy {
        StrategyKind::OneForOne => quote!(OneForOne),
        StrategyKind::RestForOne => quote!(RestForOne),
        StrategyKind::OneForAll => quote!(OneForAll),
    };
    let intensity = match &model.intensity {
        Some(b) => {
            let b = budget(p, b);
            quote!(#p::Some(#b))
        }
        None => quote!(#p::None),
    };
    let shutdown_timeout = duration(p, model.shutdown_timeout);
    let roles = model
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| role(model, p, i, r));
    quote! {
        #p::AppSpec {
            name: #app_name,
            strategy: #p::Strategy::#strategy,
            intensity: #intensity,
            shutdown_timeout: #shutdown_timeout,
            roles: &[#(#roles),*],
            start_order: &[#(#start),*],
            stop_order: &[#(#stop),*],
        }
    }
}

fn role(model: &Model, p: &TokenStream, index: usize, role: &Role) -> TokenStream {
    let role_enum = &model.role_enum;
    let variant = |&i: &usize| {
        let v = &model.roles[i].variant;
        quote!(#role_enum::#v)
    };
    let this = variant(&index);
    let dependencies = model.graph.dependencies[index].iter().map(variant);
    let dependents = model.graph.dependents[index].iter().map(variant);
    let after = model.graph.after[index].iter().map(variant);
    let followers = model.graph.followers[index].iter().map(variant);
    let lease = &role.lease;
    let optional = role.optional;
    let restart = restart(p, &role.restart);
    let ready = match role.ready {
        Ready::Spawned => quote!(#p::Readiness::Spawned),
        Ready::Signaled(t) => {
            let t = duration(p, t);
            quote!(#p::Readiness::Signaled { timeout: #t })
        }
        Ready::Completed(t) => {
            let t = duration(p, t);
            quote!(#p::Readiness::Completed { timeout: #t })
        }
    };
    let stop = if role.stop == DEFAULT_STOP {
        quote!(#p::StopAction::DEFAULT)
    } else {
        let actions = role.stop.iter().map(|a| stop_action(p, a));
        quote!(&[#(#actions),*])
    };
    let watchdog = match role.watchdog {
        Some(period) => {
            let period = duration(p, period);
            quote!(#p::Some(#period))
        }
        None => quote!(#p::None),
    };
    quote! {
        #p::RoleSpec {
            role: #this,
            lease: #lease,
            optional: #optional,
            dependencies: &[#(#dependencies),*],
            dependents: &[#(#dependents),*],
            after: &[#(#after),*],
            followers: &[#(#followers),*],
            restart: #restart,
            ready: #ready,
            stop: #stop,
            watchdog: #watchdog,
        }
    }
}

fn budget(p: &TokenStream, budget: &Budget) -> TokenStream {
    let max = proc_macro2::Literal::u32_unsuffixed(budget.max);
    let window = duration(p, budget.window);
    quote!(#p::Budget { max_restarts: #max, window: #window })
}

fn restart(p: &TokenStream, restart: &Restart) -> TokenStream {
    let (variant, budget_value, backoff_value) = match restart {
        Restart::Default => return quote!(#p::RestartPolicy::DEFAULT),
        Restart::Temporary => return quote!(#p::RestartPolicy::Temporary),
        Restart::Critical => return quote!(#p::RestartPolicy::Critical),
        Restart::Permanent(b, o) => (quote!(Permanent), b, o),
        Restart::Transient(b, o) => (quote!(Transient), b, o),
    };
    let budget_value = budget(p, budget_value);
    let backoff_value = backoff(p, backoff_value);
    quote!(#p::RestartPolicy::#variant { budget: #budget_value, backoff: #backoff_value })
}

fn backoff(p: &TokenStream, backoff: &Backoff) -> TokenStream {
    match *backoff {
        Backoff::Default => quote!(#p::Backoff::DEFAULT),
        Backoff::None => quote!(#p::Backoff::None),
        Backoff::Fixed(d) => {
            let d = duration(p, d);
            quote!(#p::Backoff::Fixed { delay: #d })
        }
        Backoff::Exponential(min, max) => {
            let (min, max) = (duration(p, min), duration(p, max));
            quote!(#p::Backoff::Exponential { min: #min, max: #max })
        }
    }
}

fn stop_action(p: &TokenStream, action: &StopAction) -> TokenStream {
    match *action {
        StopAction::Drain {
            timeout,
            resume_state,
        } => {
            let t = duration(p, timeout);
            quote!(#p::StopAction::Drain { timeout: #t, resume_state: #resume_state })
        }
        StopAction::ReleaseLease => quote!(#p::StopAction::ReleaseLease),
        StopAction::Stop(t) => {
            let t = duration(p, t);
            quote!(#p::StopAction::Stop { timeout: #t })
        }
    }
}
