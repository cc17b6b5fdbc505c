//! The `AppSpec` literal behind `App::spec()`.

use proc_macro2::{Punct, Spacing, TokenStream};
use quote::{ToTokens, quote};

use super::consts::Values;
use super::{Lazy, Variant, each, variants};
use crate::dsl::ast::StrategyKind;
use crate::dsl::model::{Backoff, Budget, DEFAULT_STOP, Model, Ready, Restart, Role, StopAction};

/// The orders are written out, not read from `App::START_ORDER`: generated
/// code names no inherent item, so an app declared twice in one module (which
/// the macro cannot see) costs no "multiple applicable items" errors on top
/// of rustc's "defined multiple times".
pub fn expand<'a>(model: &'a Model, v: &'a Values) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        let p = v.private;
        let name = &model.name;
        let app_name = name.to_string();
        let strategy = match model.strategy {
            StrategyKind::OneForOne => quote!(OneForOne),
            StrategyKind::RestForOne => quote!(RestForOne),
            StrategyKind::OneForAll => quote!(OneForAll),
        };
        let intensity = Lazy(|out: &mut TokenStream| match &model.intensity {
            Some(b) => {
                let b = budget(v, b);
                out.extend(quote!(#p::Some(#b)));
            }
            None => out.extend(quote!(#p::None)),
        });
        let shutdown_timeout = v.duration(model.shutdown_timeout);
        let roles = each(model.roles.iter().enumerate(), |(i, r)| {
            role(model, v, i, r)
        });
        let order = &model.graph.start_order;
        let start = variants(model, order);
        let stop = variants(model, order.iter().rev());
        out.extend(quote! {
            #p::AppSpec {
                name: #app_name,
                strategy: #p::Strategy::#strategy,
                intensity: #intensity,
                shutdown_timeout: #shutdown_timeout,
                roles: &[#roles],
                start_order: &[#start],
                stop_order: &[#stop],
            }
        });
    })
}

fn role(model: &Model, v: &Values, index: usize, role: &Role) -> TokenStream {
    let p = v.private;
    let this = Variant(model, index);
    let graph = &model.graph;
    let dependencies = variants(model, &graph.dependencies[index]);
    let dependents = variants(model, &graph.dependents[index]);
    let after = variants(model, &graph.after[index]);
    let followers = variants(model, &graph.followers[index]);
    let lease = &role.lease;
    let optional = role.optional;
    let restart = restart(v, &role.restart);
    let ready = Lazy(|out: &mut TokenStream| match role.ready {
        Ready::Spawned => out.extend(quote!(#p::Readiness::Spawned)),
        Ready::Signaled(t) => {
            let t = v.duration(t);
            out.extend(quote!(#p::Readiness::Signaled { timeout: #t }));
        }
        Ready::Completed(t) => {
            let t = v.duration(t);
            out.extend(quote!(#p::Readiness::Completed { timeout: #t }));
        }
    });
    let stop = Lazy(|out: &mut TokenStream| {
        if role.stop == DEFAULT_STOP {
            out.extend(quote!(#p::StopAction::DEFAULT));
        } else {
            let actions = each(role.stop.iter().enumerate(), |(n, a)| {
                let comma = (n > 0).then(|| Punct::new(',', Spacing::Alone));
                let action = stop_action(v, a);
                quote!(#comma #action)
            });
            out.extend(quote!(&[#actions]));
        }
    });
    let watchdog = Lazy(|out: &mut TokenStream| match role.watchdog {
        Some(period) => {
            let period = v.duration(period);
            out.extend(quote!(#p::Some(#period)));
        }
        None => out.extend(quote!(#p::None)),
    });
    let comma = (index > 0).then(|| Punct::new(',', Spacing::Alone));
    quote! {
        #comma
        #p::RoleSpec {
            role: #this,
            lease: #lease,
            optional: #optional,
            dependencies: &[#dependencies],
            dependents: &[#dependents],
            after: &[#after],
            followers: &[#followers],
            restart: #restart,
            ready: #ready,
            stop: #stop,
            watchdog: #watchdog,
        }
    }
}

fn budget<'a>(v: &'a Values, budget: &'a Budget) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        let p = v.private;
        let max = v.count(budget.max);
        let window = v.duration(budget.window);
        out.extend(quote!(#p::Budget { max_restarts: #max, window: #window }));
    })
}

fn restart<'a>(v: &'a Values, restart: &'a Restart) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        let p = v.private;
        let (variant, budget_value, backoff_value) = match restart {
            Restart::Default => return out.extend(quote!(#p::RestartPolicy::DEFAULT)),
            Restart::Temporary => return out.extend(quote!(#p::RestartPolicy::Temporary)),
            Restart::Critical => return out.extend(quote!(#p::RestartPolicy::Critical)),
            Restart::Permanent(b, o) => (quote!(Permanent), b, o),
            Restart::Transient(b, o) => (quote!(Transient), b, o),
        };
        let budget_value = budget(v, budget_value);
        let backoff_value = backoff(v, backoff_value);
        out.extend(
            quote!(#p::RestartPolicy::#variant { budget: #budget_value, backoff: #backoff_value }),
        );
    })
}

fn backoff<'a>(v: &'a Values, backoff: &'a Backoff) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        let p = v.private;
        match *backoff {
            Backoff::Default => out.extend(quote!(#p::Backoff::DEFAULT)),
            Backoff::None => out.extend(quote!(#p::Backoff::None)),
            Backoff::Fixed(d) => {
                let d = v.duration(d);
                out.extend(quote!(#p::Backoff::Fixed { delay: #d }));
            }
            Backoff::Exponential(min, max) => {
                let (min, max) = (v.duration(min), v.duration(max));
                out.extend(quote!(#p::Backoff::Exponential { min: #min, max: #max }));
            }
        }
    })
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
