//! `mod atpd { pub struct database; .. }`: one typed key per role, with
//! `impl RoleKey`, `impl ServedBy<ItsType>` and one `impl DependencyOf<reader>`
//! per declared edge.
//!
//! The keys carry no user type, so the module holds only unit structs and
//! the `DependencyOf` impls between them; the impls that name the role enum
//! or a role type stand beside the other items, where the user's paths
//! resolve (`super::` would not reach an app declared in a function body).

use proc_macro2::{Delimiter, Group, Ident, Literal, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::Visibility;

use super::write::Tokens;
use super::{Lazy, Private};
use crate::dsl::model::Model;

pub fn expand(model: &Model, private: &Private, out: &mut TokenStream) {
    let Model {
        vis,
        name,
        role_enum,
        ..
    } = model;
    let module = module_name(name);
    let example = model.roles.first().map_or("role", |r| r.lease.as_str());
    let module_doc = format!(
        " Typed keys of [`{name}`]'s roles, one per role (`{module}::{example}`): \
         `AppHandle::get` reads the handle a role publishes, and so does \
         `Context::deps` for the roles that depend on it."
    );
    let inner = inner_visibility(vis);
    let word = |word| Ident::new(word, Span::call_site());
    let [impl_, for_, struct_, type_, const_, doc, derive] =
        ["impl", "for", "struct", "type", "const", "doc", "derive"].map(word);
    let [
        clone,
        copy,
        debug,
        role_key,
        served_by,
        dependency_of,
        role,
        role_const,
        app_roles,
    ] = [
        "Clone",
        "Copy",
        "Debug",
        "RoleKey",
        "ServedBy",
        "DependencyOf",
        "Role",
        "ROLE",
        "APP_ROLES",
    ]
    .map(word);
    // #[doc = " The key of role `..`."]
    // #[derive(<p>::Clone, <p>::Copy, <p>::Debug)]
    // <inner> struct <field>;
    let inner: Vec<TokenTree> = inner.into_iter().collect();
    let structs = Lazy(|out: &mut TokenStream| {
        let mut tokens = Tokens::chunk();
        // The same for every key: made once.
        let derives = tokens.new_group(Delimiter::Bracket, |t| {
            t.ident(&derive).group(Delimiter::Parenthesis, |t| {
                t.private(private).ident(&clone).punct(',');
                t.private(private).ident(&copy).punct(',');
                t.private(private).ident(&debug);
            });
        });
        for role in &model.roles {
            let text = format!(" The key of role `{}`.", role.lease);
            tokens.punct('#').group(Delimiter::Bracket, |t| {
                t.ident(&doc).punct('=').literal(Literal::string(&text));
            });
            tokens.punct('#').shared(&derives);
            tokens
                .trees(&inner)
                .ident(&struct_)
                .ident(&role.field)
                .punct(';');
            tokens.spill(out);
        }
        tokens.write_to(out);
    });
    // impl <p>::RoleKey for <module>::<field> {
    //     type Role = <Enum>;
    //     const ROLE: <Enum> = <Enum>::<Variant>;
    //     const APP_ROLES: ::core::primitive::usize = <count>;
    // }
    // impl <p>::ServedBy<<Type>> for <module>::<field> {}
    let count = Literal::usize_unsuffixed(model.roles.len());
    let usize_type: Vec<TokenTree> = quote!(::core::primitive::usize).into_iter().collect();
    let empty = Group::new(Delimiter::Brace, TokenStream::new());
    let role_keys = Lazy(|out: &mut TokenStream| {
        let mut tokens = Tokens::chunk();
        for r in &model.roles {
            let key = |t: &mut Tokens| {
                t.ident(&for_).ident(&module).colon2().ident(&r.field);
            };
            tokens.ident(&impl_).private(private).ident(&role_key);
            key(&mut tokens);
            tokens.group(Delimiter::Brace, |t| {
                t.ident(&type_)
                    .ident(&role)
                    .punct('=')
                    .ident(role_enum)
                    .punct(';');
                t.ident(&const_)
                    .ident(&role_const)
                    .punct(':')
                    .ident(role_enum);
                t.punct('=')
                    .ident(role_enum)
                    .colon2()
                    .ident(&r.variant)
                    .punct(';');
                t.ident(&const_).ident(&app_roles).punct(':');
                t.trees(&usize_type)
                    .punct('=')
                    .literal(count.clone())
                    .punct(';');
            });
            tokens
                .ident(&impl_)
                .private(private)
                .ident(&served_by)
                .punct('<');
            tokens.trees(&r.ty_tokens).punct('>');
            key(&mut tokens);
            tokens.shared(&empty);
            tokens.spill(out);
        }
        tokens.write_to(out);
    });
    // One block per reader, so no token list grows with the whole graph:
    // const _: () = {
    //     impl <p>::DependencyOf<<reader>> for <dependency> {}
    //     ..
    // };
    let edges = Lazy(|out: &mut TokenStream| {
        let mut tokens = Tokens::chunk();
        let underscore = Ident::new("_", Span::call_site());
        let unit = Group::new(Delimiter::Parenthesis, TokenStream::new());
        for (reader, dependencies) in model.roles.iter().zip(&model.graph.dependencies) {
            if dependencies.is_empty() {
                continue;
            }
            tokens.ident(&const_).ident(&underscore).punct(':');
            tokens.shared(&unit).punct('=');
            tokens.group(Delimiter::Brace, |t| {
                for dependency in dependencies.iter().filter_map(|&d| model.roles.get(d)) {
                    t.ident(&impl_).private(private).ident(&dependency_of);
                    t.punct('<').ident(&reader.field).punct('>');
                    t.ident(&for_).ident(&dependency.field);
                    t.shared(&empty);
                }
            });
            tokens.punct(';');
            tokens.spill(out);
        }
        tokens.write_to(out);
    });
    out.extend(quote! {
        #[doc = #module_doc]
        #vis mod #module {
            #![allow(non_camel_case_types)]
            #structs
            #edges
        }
    });
    // Written straight into `out`, not into the `quote!`'s stream first,
    // which `out` would take token by token.
    role_keys.to_tokens(out);
}

/// The keys' visibility inside their module: the app's own, seen from the
/// module's parent (`pub(super)` for a private app, `pub(in super::super)`
/// for `pub(super)`), so the keys are exactly as visible as the app.
fn inner_visibility(vis: &Visibility) -> TokenStream {
    match vis {
        Visibility::Public(_) => quote!(pub),
        Visibility::Inherited => quote!(pub(super)),
        Visibility::Restricted(restricted) => {
            let path = &restricted.path;
            match path
                .segments
                .first()
                .map(|s| s.ident.to_string())
                .as_deref()
            {
                Some("self") => {
                    let rest = path.segments.iter().skip(1);
                    quote!(pub(in super #(::#rest)*))
                }
                Some("super") => quote!(pub(in super::#path)),
                _ if path.leading_colon.is_none() && path.is_ident("crate") => quote!(pub(crate)),
                _ => quote!(pub(in #path)),
            }
        }
    }
}

/// `Atpd` → `atpd`, `HttpApi` → `http_api`, `HTTPServer` → `http_server`.
fn module_name(app: &Ident) -> Ident {
    let name = app.to_string();
    let name = name.strip_prefix("r#").unwrap_or(&name);
    let chars: Vec<char> = name.chars().collect();
    let mut snake = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let after_lower =
                i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
            let ends_acronym = i > 0
                && chars[i - 1].is_uppercase()
                && chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if after_lower || ends_acronym {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    format_ident!("{}", snake, span = app.span())
}

#[cfg(test)]
mod tests {
    #[test]
    fn module_names_are_the_app_name_in_snake_case() {
        for (app, module) in [
            ("Atpd", "atpd"),
            ("HttpApi", "http_api"),
            ("HTTPServer", "http_server"),
            ("App2Go", "app2_go"),
            ("shop", "shop"),
        ] {
            let app = proc_macro2::Ident::new(app, proc_macro2::Span::call_site());
            assert_eq!(super::module_name(&app).to_string(), module);
        }
    }
}
