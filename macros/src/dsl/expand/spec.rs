//! The `AppSpec` literal behind `App::spec()`.

use proc_macro2::{Delimiter, Ident, Literal, Punct, Spacing, Span, TokenStream};
use quote::{ToTokens, quote};

use super::consts::Values;
use super::write::Tokens;
use super::{Lazy, Lists, Private, Variant, each};
use crate::dsl::ast::StrategyKind;
use crate::dsl::model::{Backoff, Budget, DEFAULT_STOP, Model, Ready, Restart, Role, StopAction};

/// The orders are written out, not read from `App::START_ORDER`: generated
/// code names no inherent item, so an app declared twice in one module (which
/// the macro cannot see) costs no "multiple applicable items" errors on top
/// of rustc's "defined multiple times".
pub fn expand<'a>(model: &'a Model, v: &'a Values, lists: &'a Lists) -> impl ToTokens + 'a {
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
        let roles = Lazy(|out: &mut TokenStream| {
            let mut tokens = Tokens::chunk();
            let words = Words::new();
            for (i, r) in model.roles.iter().enumerate() {
                role(model, v, &words, i, r, &mut tokens);
                tokens.spill(out);
            }
            tokens.write_to(out);
        });
        let Lists { all, start, stop } = lists;
        out.extend(quote! {
            #p::AppSpec {
                name: #app_name,
                strategy: #p::Strategy::#strategy,
                intensity: #intensity,
                shutdown_timeout: #shutdown_timeout,
                roles: &[#roles],
                all: &#all,
                start_order: &#start,
                stop_order: &#stop,
            }
        });
    })
}

/// The words every `RoleSpec` repeats, made once.
struct Words([Ident; 9]);

impl Words {
    fn new() -> Self {
        let names = [
            "RoleSpec",
            "role",
            "lease",
            "optional",
            "dependencies",
            "dependents",
            "after",
            "followers",
            "DEFAULTS",
        ];
        Words(names.map(|name| Ident::new(name, Span::call_site())))
    }
}

/// `RoleSpec { .. }` with the fields that differ from [`defaults`]; the
/// role and its lease always.
fn role(model: &Model, v: &Values, words: &Words, index: usize, role: &Role, t: &mut Tokens) {
    let p = v.private;
    let graph = &model.graph;
    let [
        spec,
        role_word,
        lease,
        optional,
        dependencies,
        dependents,
        after,
        followers,
        defaults,
    ] = &words.0;
    if index > 0 {
        t.punct(',');
    }
    t.private(p).ident(spec).group(Delimiter::Brace, |t| {
        t.ident(role_word)
            .punct(':')
            .ident(&model.role_enum)
            .colon2();
        t.ident(&model.roles[index].variant).punct(',');
        t.ident(lease)
            .punct(':')
            .literal(Literal::string(&role.lease))
            .punct(',');
        if role.optional {
            t.ident(optional).punct(':').tokens(&true).punct(',');
        }
        let lists = [
            (dependencies, &graph.dependencies[index]),
            (dependents, &graph.dependents[index]),
            (after, &graph.after[index]),
            (followers, &graph.followers[index]),
        ];
        for (name, roles) in lists.into_iter().filter(|(_, roles)| !roles.is_empty()) {
            t.ident(name).punct(':').punct('&');
            t.group(Delimiter::Bracket, |t| t.variants(model, roles));
            t.punct(',');
        }
        if has_others(role) {
            t.tokens(&others(v, role));
        }
        t.punct_joint('.').punct('.').ident(defaults);
    });
}

/// Whether any of the rarer fields differs from [`defaults`]: most roles
/// write none, and then no stream is made for [`others`] to write into.
fn has_others(role: &Role) -> bool {
    role.restart != Restart::Default
        || role.ready != Ready::Spawned
        || role.stop != DEFAULT_STOP
        || role.watchdog.is_some()
}

/// The rarer fields, when they differ from [`defaults`]: `restart`,
/// `ready`, `stop` and `watchdog`, each with its comma.
fn others<'a>(v: &'a Values, role: &'a Role) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        let p = v.private;
        if role.restart != Restart::Default {
            let restart = restart(v, &role.restart);
            out.extend(quote!(restart: #restart,));
        }
        match role.ready {
            Ready::Spawned => {}
            Ready::Signaled(t) => {
                let t = v.duration(t);
                out.extend(quote!(ready: #p::Readiness::Signaled { timeout: #t },));
            }
            Ready::Completed(t) => {
                let t = v.duration(t);
                out.extend(quote!(ready: #p::Readiness::Completed { timeout: #t },));
            }
        }
        if role.stop != DEFAULT_STOP {
            let actions = each(role.stop.iter().enumerate(), |(n, a)| {
                let comma = (n > 0).then(|| Punct::new(',', Spacing::Alone));
                let action = stop_action(v, a);
                quote!(#comma #action)
            });
            out.extend(quote!(stop: &[#actions],));
        }
        if let Some(period) = role.watchdog {
            let period = v.duration(period);
            out.extend(quote!(watchdog: #p::Some(#period),));
        }
    })
}

/// `const DEFAULTS: RoleSpec<..>`, a role with every default, which each
/// role of the spec updates; none for an app without roles.
pub fn defaults<'a>(model: &'a Model, p: &'a Private) -> impl ToTokens + 'a {
    Lazy(move |out: &mut TokenStream| {
        if model.roles.is_empty() {
            return;
        }
        let role_enum = &model.role_enum;
        let first = Variant(model, 0);
        out.extend(quote! {
            /// Every role's defaults: each role below writes what it changes.
            const DEFAULTS: #p::RoleSpec<#role_enum> = #p::RoleSpec {
                role: #first,
                lease: "",
                optional: false,
                dependencies: &[],
                dependents: &[],
                after: &[],
                followers: &[],
                restart: #p::RestartPolicy::DEFAULT,
                ready: #p::Readiness::Spawned,
                stop: #p::StopAction::DEFAULT,
                watchdog: #p::None,
            };
        });
    })
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
