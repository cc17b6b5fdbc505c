//! `mod atpd { pub struct database; .. }`: one typed key per role, with
//! `impl RoleKey`, `impl ServedBy<ItsType>` and one `impl DependencyOf<reader>`
//! per declared edge.
//!
//! The keys carry no user type, so the module holds only unit structs and
//! the `DependencyOf` impls between them; the impls that name the role enum
//! or a role type stand beside the other items, where the user's paths
//! resolve (`super::` would not reach an app declared in a function body).

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::Visibility;

use super::{Private, each};
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
    let structs = each(model.roles.iter(), |role| {
        let field = &role.field;
        let doc = format!(" The key of role `{}`.", role.lease);
        quote! {
            #[doc = #doc]
            #[derive(#private::Clone, #private::Copy, #private::Debug)]
            #inner struct #field;
        }
    });
    let role_keys = each(model.roles.iter(), |role| {
        let (field, variant) = (&role.field, &role.variant);
        let ty = super::role_type(role);
        quote! {
            impl #private::RoleKey for #module::#field {
                type Role = #role_enum;
                const ROLE: #role_enum = #role_enum::#variant;
            }
            impl #private::ServedBy<#ty> for #module::#field {}
        }
    });
    let edges =
        model
            .roles
            .iter()
            .zip(&model.graph.dependencies)
            .flat_map(|(reader, dependencies)| {
                let dependencies = dependencies.iter().filter_map(|&d| model.roles.get(d));
                dependencies.map(move |dependency| (&reader.field, &dependency.field))
            });
    let edges = each(
        edges,
        |(reader, dependency)| quote!(impl #private::DependencyOf<#reader> for #dependency {}),
    );
    out.extend(quote! {
        #[doc = #module_doc]
        #vis mod #module {
            #![allow(non_camel_case_types)]
            #structs
            #edges
        }
        #role_keys
    });
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
