//! Rules on names: duplicate roles (1), leases (11), snake_case role names.

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::Ident;

use crate::dsl::ast::Role;
use crate::dsl::errors::{Errors, earlier_place};

/// A role [`unique_roles`] kept, with the names it worked out once for all
/// the phases after it.
pub struct Named {
    pub role: Role,
    /// The role's name as lists and messages write it: `r#type` is `type`.
    pub name: String,
    /// Its enum variant, [`variant_name`].
    pub variant: String,
}

impl Named {
    /// The lease name (given, or the role name) and where it is written.
    pub fn lease(&self) -> (Cow<'_, str>, Span) {
        match &self.role.lease {
            Some(lease) => (Cow::Owned(lease.value()), lease.span()),
            None => (Cow::Borrowed(&self.name), self.role.name.span()),
        }
    }
}

/// The roles with duplicates removed (the first declaration wins), so the
/// generated struct and enum stay valid and show no follow-on errors.
///
/// Two names are duplicates when their fields or their enum variants would
/// clash (`a1` and `a_1` both make the variant `A1`). Also returns the names
/// dropped for a variant clash: `depends_on` may name them, and that is no
/// second mistake.
pub fn unique_roles(roles: Vec<Role>, errors: &mut Errors) -> (Vec<Named>, HashSet<String>) {
    let names: Vec<String> = roles.iter().map(|r| crate::dsl::text(&r.name)).collect();
    let variants: Vec<String> = names.iter().map(|name| variant_name(name)).collect();
    let mut kept = vec![false; roles.len()];
    let mut removed = HashSet::new();
    {
        // Each name and variant taken, by the index of the role taking it.
        let mut fields: HashMap<&str, usize> = HashMap::with_capacity(roles.len());
        let mut taken: HashMap<&str, usize> = HashMap::with_capacity(roles.len());
        for (i, role) in roles.iter().enumerate() {
            let (name, span) = (names[i].as_str(), role.name.span());
            if let Some(&first) = fields.get(name) {
                let place = earlier_place(roles[first].name.span(), span);
                errors.at(
                    span,
                    format!(
                        "duplicate role `{name}`, first declared {place}; rename or remove one"
                    ),
                );
                continue;
            }
            match taken.entry(variants[i].as_str()) {
                Entry::Occupied(other) => {
                    let first = *other.get();
                    let place = earlier_place(roles[first].name.span(), span);
                    errors.at(
                        span,
                        format!(
                            "roles `{}` (declared {place}) and `{name}` would both be the \
                             enum variant `{}`; rename one",
                            names[first],
                            other.key()
                        ),
                    );
                    removed.insert(name.to_owned());
                    continue;
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
            fields.insert(name, i);
            kept[i] = true;
        }
    }
    // Sized first: a role is large, and a collected `filter` would copy the
    // roles at every doubling.
    let mut unique = Vec::with_capacity(kept.iter().filter(|&&k| k).count());
    unique.extend(
        (roles.into_iter().zip(names).zip(variants).zip(kept))
            .filter(|(_, kept)| *kept)
            .map(|(((role, name), variant), _)| Named {
                role,
                name,
                variant,
            }),
    );
    (unique, removed)
}

/// Two roles with one lease would fight over it at run time; an empty lease
/// names nothing.
pub fn check_leases(roles: &[Named], errors: &mut Errors) {
    let mut owners: HashMap<Cow<'_, str>, (Span, &Named)> = HashMap::with_capacity(roles.len());
    for named in roles {
        let (lease, span) = named.lease();
        if lease.is_empty() {
            continue;
        }
        match owners.entry(lease) {
            Entry::Occupied(first) => {
                let (first_span, owner) = *first.get();
                let (lease, owner_name) = (first.key(), &owner.role.name);
                let place = earlier_place(first_span, span);
                // A role without `lease` holds its name: say so, or the clash looks arbitrary.
                let whose = match owner.role.lease {
                    Some(_) => format!("already used by role `{owner_name}` ({place})"),
                    None => format!(
                        "the name, and so the default lease, of role `{owner_name}` ({place})"
                    ),
                };
                errors.at(
                    span,
                    format!("lease `{lease}` is {whose}; give one of them another `lease`"),
                );
            }
            Entry::Vacant(slot) => {
                slot.insert((span, named));
            }
        }
    }
}

pub fn check_lease_not_empty(role: &Role, errors: &mut Errors) {
    if let Some(lease) = &role.lease
        && lease.value().is_empty()
    {
        errors.at(
            lease.span(),
            "lease name cannot be empty; remove `lease` to use the role name",
        );
    }
}

/// Role names are fields, lease names and (converted) enum variants: only
/// snake_case converts both ways without surprises. Leading and trailing
/// underscores are snake_case too (`_legacy`, `type_`), as rustc's lint says.
pub fn check_snake_case(name: &Ident, errors: &mut Errors) {
    // Most names are plain snake_case: told without working out the fix.
    let plain = crate::dsl::with_text(name, |text| {
        let inner = text.strip_prefix("r#").unwrap_or(text).trim_matches('_');
        let snake = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_';
        inner.bytes().all(snake) && !inner.contains("__")
    });
    if plain {
        return;
    }
    let text = crate::dsl::text(name);
    let inner = text.trim_matches('_');
    if inner.is_empty() {
        return;
    }
    let start = text.len() - text.trim_start_matches('_').len();
    let end = start + inner.len();
    let fixed = format!("{}{}{}", &text[..start], to_snake_case(inner), &text[end..]);
    if fixed != text {
        errors.at(
            name.span(),
            format!("role name `{text}` should be snake_case: `{fixed}`"),
        );
    }
}

/// `PeerDirectory`, `peerDirectory`, `peer__directory` -> `peer_directory`.
fn to_snake_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut previous_lower = false;
    for c in text.chars() {
        if c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !out.ends_with('_') {
            out.push('_');
        }
        out.extend(c.to_lowercase());
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("role");
    }
    out
}

/// The enum variant of a role: `peer_directory` -> `PeerDirectory`.
pub fn variant_name(role: &str) -> String {
    let mut out = String::with_capacity(role.len());
    for part in role.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'R');
    }
    // `self_` would become the keyword `Self`; upper-casing some letters can
    // give characters an identifier may not hold. Either way, pick a valid name.
    // (Letters, digits and `_` after a capital or `R` are valid, `Self`
    // aside: the only keyword that starts with a capital. Anything else is
    // asked of syn.)
    let plain = out != "Self" && out.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain && syn::parse_str::<Ident>(&out).is_err() {
        out = std::iter::once("R".to_owned())
            .chain(out.chars().map(|c| match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_string(),
                _ => format!("U{:X}", u32::from(c)),
            }))
            .collect();
    }
    out
}
