//! Names the expansion would take from the user's own types.
//!
//! The macro generates `struct App` and `enum AppRole` beside the user's
//! items. A role type of either name would collide with them, and rustc then
//! reports a dozen errors about generated internals (a recursive struct,
//! conflicting impls) instead of the one mistake; so the macro reports it
//! once and emits nothing for that app.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::Ident;
use syn::ext::IdentExt;

use crate::dsl::ast::App;
use crate::dsl::errors::Errors;

/// `true` when a generated item would clash with a role's type (reported).
pub fn check_generated_names(app: &App, errors: &mut Errors) -> bool {
    let name = crate::dsl::text(&app.name);
    let role_enum = format!("{name}Role");
    let mut clash = false;
    let mut app_named_like_a_type = None;
    for role in &app.roles {
        let Some(ty) = &role.ty else { continue };
        let mut names = Vec::new();
        unqualified(ty.to_token_stream(), &mut names);
        for used in names {
            // Compared as written, without copying out each identifier's text.
            let (is_app, is_enum) = crate::dsl::with_text(&used, |text| {
                let text = text.strip_prefix("r#").unwrap_or(text);
                (text == name, text == role_enum)
            });
            if is_app && app_named_like_a_type.is_none() {
                app_named_like_a_type = Some(role);
            } else if is_enum {
                let text = crate::dsl::text(&used);
                clash = true;
                errors.at(
                    used.span(),
                    format!(
                        "type `{text}` has the name of the role enum generated for app `{name}`; \
                         rename the type or the app"
                    ),
                );
            }
        }
    }
    if let Some(role) = app_named_like_a_type {
        clash = true;
        errors.at(
            app.name.span(),
            format!(
                "app `{name}` has the name of role `{}`'s type, and the app is a generated \
                 struct; rename the app, e.g. `{name}App`",
                role.name.unraw()
            ),
        );
    }
    clash
}

/// Identifiers a type names without a path before them: `Api` in `Api` and
/// `Box<Api>`, not in `crate::Api`, which cannot be the generated item.
fn unqualified(tokens: TokenStream, out: &mut Vec<Ident>) {
    let mut colons = 0;
    for tree in tokens {
        match &tree {
            TokenTree::Group(group) => unqualified(group.stream(), out),
            TokenTree::Ident(ident) if colons < 2 => out.push(ident.clone()),
            _ => {}
        }
        colons = match &tree {
            TokenTree::Punct(p) if p.as_char() == ':' => colons + 1,
            _ => 0,
        };
    }
}
