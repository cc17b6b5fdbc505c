//! Words of the DSL (policies, actions, keys), matched with a suggestion on a typo.

use syn::Ident;
use syn::ext::IdentExt;
use syn::parse::ParseStream;

use crate::dsl::suggest::did_you_mean;

/// Reads one identifier (keywords included) and maps it to one of `words`.
///
/// `what` names the kind of word in the error: "unknown restart policy `x`".
pub fn one_of<T: Copy>(
    input: ParseStream,
    what: &str,
    words: &[(&str, T)],
) -> syn::Result<(T, Ident)> {
    let ident = input.call(Ident::parse_any)?;
    let text = crate::dsl::text(&ident);
    match words.iter().find(|(w, _)| *w == text) {
        Some((_, value)) => Ok((*value, ident)),
        None => Err(unknown(&ident, what, words.iter().map(|(w, _)| *w))),
    }
}

/// "unknown restart policy `x`, did you mean `y`?", or the list of what is allowed.
pub fn unknown<'a>(
    ident: &Ident,
    what: &str,
    words: impl Iterator<Item = &'a str> + Clone,
) -> syn::Error {
    let text = crate::dsl::text(ident);
    let hint = did_you_mean(&text, words.clone());
    let message = if hint.is_empty() {
        let list: Vec<String> = words.map(|w| format!("`{w}`")).collect();
        format!(
            "unknown {what} `{text}`; expected one of {}",
            list.join(", ")
        )
    } else {
        format!("unknown {what} `{text}`{hint}")
    };
    syn::Error::new(ident.span(), message)
}
