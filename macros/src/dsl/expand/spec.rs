//! The `AppSpec` literal behind `App::spec()`.

use proc_macro2::TokenStream;
use quote::quote;

use super::consts::Values;
use crate::dsl::ast::StrategyKind;
use crate::dsl::model::{Backoff, Budget, DEFAULT_STOP, Model, Ready, Restart, Role, StopAction};

/// The orders are written out, not read from `App::START_ORDER`: generated
/// code names no inherent item, so an app declared twice in one module (which
/// the macro cannot see) costs no "multiple applicable items" errors on top
/// of rustc's "defined multiple times".
pub fn expand(
    model: &Model,
    v: &Values,
    start: &[TokenStream],
    stop: &[TokenStream],
) -> TokenStream {
    let p = v.private;
    let name = &model.name;
    let app_name = name.to_string();
    let strategy = match model.strategy {
        StrategyKind::OneForOne => quote!(OneForOne),
        StrategyKind::RestForOne => quote!(RestForOne),
        StrategyKind::OneForAll => quote!(OneForAll),
    };
    let intensity = match &model.intensity {
        Some(b) => {
            let b = budget(v, b);
            quote!(#p::Some(#b))
        }
        None => quote!(#p::None),
    };
    let shutdown_timeout = v.duration(model.shutdown_timeout);
    let role_enum = &model.role_enum;
    let all = model.roles.iter().map(|r| {
        let variant = &r.variant;
        quote!(#role_enum::#variant)
    });
    let roles = model
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| role(model, v, i, r));
    quote! {
        #p::AppSpec {
            name: #app_name,
            strategy: #p::Strategy::#strategy,
            intensity: #intensity,
            shutdown_timeout: #shutdown_timeout,
            roles: &[#(#roles),*],
            all: &[#(#all),*],
            start_order: &[#(#start),*],
            stop_order: &[#(#stop),*],
        }
    }
}

fn role(model: &Model, v: &Values, index: usize, role: &Role) -> TokenStream {
    let p = v.private;
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
    let restart = restart(v, &role.restart);
    let ready = match role.ready {
        Ready::Spawned => quote!(#p::Readiness::Spawned),
        Ready::Signaled(t) => {
            let t = v.duration(t);
            quote!(#p::Readiness::Signaled { timeout: #t })
        }
        Ready::Completed(t) => {
            let t = v.duration(t);
            quote!(#p::Readiness::Completed { timeout: #t })
        }
    };
    let stop = if role.stop == DEFAULT_STOP {
        quote!(#p::StopAction::DEFAULT)
    } else {
        let actions = role.stop.iter().map(|a| stop_action(v, a));
        quote!(&[#(#actions),*])
    };
    let watchdog = match role.watchdog {
        Some(period) => {
            let period = v.duration(period);
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

fn budget(v: &Values, budget: &Budget) -> TokenStream {
    let p = v.private;
    let max = v.count(budget.max);
    let window = v.duration(budget.window);
    quote!(#p::Budget { max_restarts: #max, window: #window })
}

fn restart(v: &Values, restart: &Restart) -> TokenStream {
    let p = v.private;
    let (variant, budget_value, backoff_value) = match restart {
        Restart::Default => return quote!(#p::RestartPolicy::DEFAULT),
        Restart::Temporary => return quote!(#p::RestartPolicy::Temporary),
        Restart::Critical => return quote!(#p::RestartPolicy::Critical),
        Restart::Permanent(b, o) => (quote!(Permanent), b, o),
        Restart::Transient(b, o) => (quote!(Transient), b, o),
    };
    let budget_value = budget(v, budget_value);
    let backoff_value = backoff(v, backoff_value);
    quote!(#p::RestartPolicy::#variant { budget: #budget_value, backoff: #backoff_value })
}

fn backoff(v: &Values, backoff: &Backoff) -> TokenStream {
    let p = v.private;
    match *backoff {
        Backoff::Default => quote!(#p::Backoff::DEFAULT),
        Backoff::None => quote!(#p::Backoff::None),
        Backoff::Fixed(d) => {
            let d = v.duration(d);
            quote!(#p::Backoff::Fixed { delay: #d })
        }
        Backoff::Exponential(min, max) => {
            let (min, max) = (v.duration(min), v.duration(max));
            quote!(#p::Backoff::Exponential { min: #min, max: #max })
        }
    }
}

fn stop_action(v: &Values, action: &StopAction) -> TokenStream {
    let p = v.private;
    match *action {
        StopAction::Drain {
            timeout,
            resume_state,
        } => {
            let t = v.duration(timeout);
            quote!(#p::StopAction::Drain { timeout: #t, resume_state: #resume_state })
        }
        StopAction::ReleaseLease => quote!(#p::StopAction::ReleaseLease),
        StopAction::Stop(t) => {
            let t = v.duration(t);
            quote!(#p::StopAction::Stop { timeout: #t })
        }
    }
}
