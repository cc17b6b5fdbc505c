//! Values of role keys and app settings: durations, budgets, policies, stop lists.

use proc_macro2::Group;
use quote::ToTokens;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{ExprPath, Ident, Lit, LitInt, Token, bracketed, parenthesized};

use super::keyword::{one_of, unknown};
use crate::dsl::ast::{
    ActionKind, Backoff, Budget, ConstExpr, ConstType, Duration, PolicyKind, Ready, ReadyKind,
    Restart, RestartParams, StopAction, StopList, StrategyKind, Value,
};
use crate::dsl::errors::Errors;

/// Duration units and their length in nanoseconds.
pub const UNITS: [(&str, u64); 6] = [
    ("ns", 1),
    ("us", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// A duration such as `30s`, or a const of type `Duration`. A bad unit or an
/// overflow is recorded, not returned, so the surrounding list keeps parsing.
pub fn duration(input: ParseStream, errors: &mut Errors) -> syn::Result<Duration> {
    if let Some(constant) = const_expr(input, ConstType::Duration)? {
        return Ok(Duration {
            span: constant.span,
            value: Value::Const(constant),
        });
    }
    let lit: Lit = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), "expected a duration such as `30s` or `100ms`"))?;
    let span = lit.span();
    let nanos = match &lit {
        Lit::Int(int) if int.base10_digits().starts_with('-') => {
            negative(span, int.base10_digits(), int.suffix(), errors)
        }
        Lit::Float(float) if float.base10_digits().starts_with('-') => {
            negative(span, float.base10_digits(), float.suffix(), errors)
        }
        Lit::Int(int) => int_duration(int, errors),
        Lit::Float(float) => {
            let written = format!("{}{}", float.base10_digits(), float.suffix());
            let message = match whole_duration(float.base10_digits(), float.suffix()) {
                Some(whole) => {
                    format!("durations are whole numbers: write `{whole}` for `{written}`")
                }
                None => format!(
                    "durations are whole numbers: write `{written}` in a smaller unit, e.g. `1500ms` for `1.5s`"
                ),
            };
            errors.at(span, message);
            None
        }
        _ => {
            return Err(syn::Error::new(
                span,
                "expected a duration such as `30s` or `100ms`",
            ));
        }
    };
    Ok(Duration {
        value: nanos.map_or(Value::Malformed, Value::Literal),
        span,
    })
}

/// A const expression where a literal may stand, written as in const
/// generics: a path bare (`TIMEOUT`, `config::TIMEOUT`), anything else in
/// braces (`{ Duration::from_secs(5) }`). `None` when a literal follows.
///
/// Braces keep the grammar unambiguous: a bare expression would run into
/// the `per` of a budget or the `,` of a parameter list.
fn const_expr(input: ParseStream, ty: ConstType) -> syn::Result<Option<ConstExpr>> {
    let expr = if input.peek(syn::token::Brace) {
        let group = input.parse::<Group>()?;
        super::whole_block(group, input).into_token_stream()
    } else if input.peek(Token![::])
        || input.peek(Token![<])
        || (input.peek(<Ident as syn::ext::IdentExt>::peek_any) && !starts_with_per(input))
    {
        let path: ExprPath = input.parse()?;
        if input.peek(syn::token::Paren) || input.peek(Token![.]) || input.peek(syn::token::Brace) {
            return Err(syn::Error::new(
                path.span(),
                "a const expression other than a path goes in braces, \
                 as in `{ Duration::from_secs(5) }`",
            ));
        }
        path.into_token_stream()
    } else {
        return Ok(None);
    };
    let span = expr.span();
    Ok(Some(ConstExpr {
        id: 0,
        ty,
        expr,
        span,
    }))
}

/// `per` where a count belongs (`per 5s`): a missing count, not a const named `per`.
fn starts_with_per(input: ParseStream) -> bool {
    let fork = input.fork();
    matches!(fork.call(<Ident as syn::ext::IdentExt>::parse_any), Ok(word) if word == "per")
}

/// `-5s`: a duration is a length of time, never negative.
fn negative(
    span: proc_macro2::Span,
    digits: &str,
    suffix: &str,
    errors: &mut Errors,
) -> Option<u64> {
    let positive = digits.trim_start_matches('-');
    errors.at(
        span,
        format!("a duration cannot be negative: write `{positive}{suffix}`"),
    );
    None
}

/// `2.5s` as the whole number of the largest unit that holds it exactly
/// (`2500ms`); `None` when no unit does (finer than `1ns`, or not decimal).
fn whole_duration(digits: &str, suffix: &str) -> Option<String> {
    let (_, unit) = UNITS.iter().find(|(u, _)| *u == suffix)?;
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) || fraction.len() > 18 {
        return None;
    }
    let scale = 10u128.pow(u32::try_from(fraction.len()).ok()?);
    let whole: u128 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let fraction: u128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().ok()?
    };
    let scaled = (whole.checked_mul(scale)? + fraction).checked_mul(u128::from(*unit))?;
    if scaled % scale != 0 {
        return None;
    }
    let nanos = scaled / scale;
    UNITS
        .iter()
        .rev()
        .find(|(_, size)| nanos % u128::from(*size) == 0)
        .map(|(name, size)| format!("{}{name}", nanos / u128::from(*size)))
}

fn int_duration(int: &LitInt, errors: &mut Errors) -> Option<u64> {
    let suffix = int.suffix();
    let Some((_, unit)) = UNITS.iter().find(|(u, _)| *u == suffix) else {
        let message = if suffix.is_empty() {
            format!(
                "duration `{}` has no unit; add one of `ns`, `us`, `ms`, `s`, `m`, `h`",
                int.base10_digits()
            )
        } else {
            format!(
                "unknown duration unit `{suffix}`; expected one of `ns`, `us`, `ms`, `s`, `m`, `h`"
            )
        };
        errors.at(int.span(), message);
        return None;
    };
    let nanos = int
        .base10_digits()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(*unit));
    if nanos.is_none() {
        errors.at(
            int.span(),
            format!(
                "duration `{int}` is too long: at most about 584 years (`{}ns`)",
                u64::MAX
            ),
        );
    }
    nanos
}

/// `N per WINDOW`; `N` is a literal or a const of type `u32`.
pub fn budget(input: ParseStream, errors: &mut Errors) -> syn::Result<Budget> {
    let (max, max_span) = match const_expr(input, ConstType::Count)? {
        Some(constant) => {
            let span = constant.span;
            (Value::Const(constant), span)
        }
        None => restart_count(input, errors)?,
    };
    let per = input.call(<Ident as syn::ext::IdentExt>::parse_any);
    match per {
        Ok(per) if per == "per" => {}
        _ => {
            return Err(syn::Error::new(
                max_span,
                "expected `per` after the number of restarts, as in `3 per 5s`",
            ));
        }
    }
    let window = duration(input, errors)?;
    Ok(Budget {
        max,
        max_span,
        window,
    })
}

/// The `3` of `3 per 5s`; a malformed count is recorded, and parsing goes on.
fn restart_count(
    input: ParseStream,
    errors: &mut Errors,
) -> syn::Result<(Value<u32>, proc_macro2::Span)> {
    let count: LitInt = input
        .parse()
        .map_err(|e| syn::Error::new(e.span(), "expected a restart budget such as `3 per 5s`"))?;
    let max = count
        .base10_parse::<u32>()
        .ok()
        .filter(|_| count.suffix().is_empty());
    if max.is_none() {
        errors.at(
            count.span(),
            "expected a number of restarts (a whole number up to 4294967295) before `per`",
        );
    }
    Ok((max.map_or(Value::Malformed, Value::Literal), count.span()))
}

/// The values of `strategy`.
pub const STRATEGIES: [(&str, StrategyKind); 3] = [
    ("one_for_one", StrategyKind::OneForOne),
    ("rest_for_one", StrategyKind::RestForOne),
    ("one_for_all", StrategyKind::OneForAll),
];

/// The restart policies, the words `restart:` starts with.
pub const POLICIES: [(&str, PolicyKind); 4] = [
    ("permanent", PolicyKind::Permanent),
    ("transient", PolicyKind::Transient),
    ("temporary", PolicyKind::Temporary),
    ("critical", PolicyKind::Critical),
];

/// The values of `ready`.
pub const READINESS: [(&str, ReadyKind); 3] = [
    ("spawned", ReadyKind::Spawned),
    ("signaled", ReadyKind::Signaled),
    ("completed", ReadyKind::Completed),
];

pub fn strategy(input: ParseStream) -> syn::Result<(StrategyKind, Ident)> {
    one_of(input, "strategy", &STRATEGIES)
}

/// `permanent`, `transient(3 per 5s, backoff: fixed(1s))`, ...
pub fn restart(input: ParseStream, errors: &mut Errors) -> syn::Result<Restart> {
    let (kind, ident) = one_of(input, "restart policy", &POLICIES)?;
    let params = if input.peek(syn::token::Paren) {
        let content;
        let paren = parenthesized!(content in input);
        Some(restart_params(&content, paren.span.join(), errors)?)
    } else {
        None
    };
    Ok(Restart {
        kind,
        ident,
        params,
    })
}

fn restart_params(
    input: ParseStream,
    span: proc_macro2::Span,
    errors: &mut Errors,
) -> syn::Result<RestartParams> {
    let budget = budget(input, errors)?;
    let mut backoff_value = None;
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
        if !input.is_empty() {
            let key = input.call(<Ident as syn::ext::IdentExt>::parse_any)?;
            if key != "backoff" {
                return Err(unknown(&key, "restart parameter", ["backoff"].into_iter()));
            }
            input.parse::<Token![:]>()?;
            backoff_value = Some(backoff(input, errors)?);
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
        }
    }
    if !input.is_empty() {
        return Err(
            input.error("unexpected token; restart parameters are `N per WINDOW[, backoff: ..]`")
        );
    }
    Ok(RestartParams {
        span,
        budget,
        backoff: backoff_value,
    })
}

#[derive(Clone, Copy)]
enum BackoffKind {
    None,
    Fixed,
    Exponential,
}

fn backoff(input: ParseStream, errors: &mut Errors) -> syn::Result<Backoff> {
    let (kind, ident) = one_of(
        input,
        "backoff",
        &[
            ("none", BackoffKind::None),
            ("fixed", BackoffKind::Fixed),
            ("exponential", BackoffKind::Exponential),
        ],
    )?;
    Ok(match kind {
        BackoffKind::None => Backoff::None,
        BackoffKind::Fixed => {
            let content = parens_after(input, &ident, "`fixed(DELAY)`")?;
            let delay = duration(&content, errors)?;
            end(&content)?;
            Backoff::Fixed(delay)
        }
        BackoffKind::Exponential => {
            let content = parens_after(input, &ident, "`exponential(MIN, MAX)`")?;
            let min = duration(&content, errors)?;
            content.parse::<Token![,]>()?;
            let max = duration(&content, errors)?;
            end(&content)?;
            Backoff::Exponential { ident, min, max }
        }
    })
}

/// `spawned`, `signaled(10s)`, `completed(1m)`.
pub fn ready(input: ParseStream, errors: &mut Errors) -> syn::Result<Ready> {
    let (kind, ident) = one_of(input, "readiness", &READINESS)?;
    let timeout = optional_timeout(input, errors)?;
    Ok(Ready {
        kind,
        ident,
        timeout,
    })
}

/// `[drain(30s, resume_state), release_lease, stop(5s)]`.
pub fn stop_list(input: ParseStream, errors: &mut Errors) -> syn::Result<StopList> {
    let content;
    let bracket = bracketed!(content in input);
    let mut actions = Vec::new();
    while !content.is_empty() {
        actions.push(stop_action(&content, errors)?);
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    Ok(StopList {
        span: bracket.span.join(),
        actions,
    })
}

fn stop_action(input: ParseStream, errors: &mut Errors) -> syn::Result<StopAction> {
    let (kind, ident) = one_of(
        input,
        "stop action",
        &[
            ("drain", ActionKind::Drain),
            ("release_lease", ActionKind::ReleaseLease),
            ("stop", ActionKind::Stop),
        ],
    )?;
    let mut action = StopAction {
        kind,
        ident,
        timeout: None,
        resume_state: false,
    };
    match kind {
        ActionKind::Drain => {
            let content = parens_after(input, &action.ident, "`drain(TIMEOUT)`")?;
            action.timeout = Some(duration(&content, errors)?);
            if content.peek(Token![,]) {
                content.parse::<Token![,]>()?;
                if !content.is_empty() {
                    let flag = content.call(<Ident as syn::ext::IdentExt>::parse_any)?;
                    if flag != "resume_state" {
                        return Err(unknown(&flag, "drain option", ["resume_state"].into_iter()));
                    }
                    action.resume_state = true;
                }
            }
            end(&content)?;
        }
        ActionKind::Stop => action.timeout = optional_timeout(input, errors)?,
        ActionKind::ReleaseLease if input.peek(syn::token::Paren) => {
            return Err(syn::Error::new(
                action.ident.span(),
                "`release_lease` takes no parameters",
            ));
        }
        ActionKind::ReleaseLease => {}
    }
    Ok(action)
}

/// `(DURATION)` after a word that may take one: `stop(5s)`, `signaled(10s)`.
fn optional_timeout(input: ParseStream, errors: &mut Errors) -> syn::Result<Option<Duration>> {
    if !input.peek(syn::token::Paren) {
        return Ok(None);
    }
    let content;
    parenthesized!(content in input);
    let timeout = duration(&content, errors)?;
    end(&content)?;
    Ok(Some(timeout))
}

/// The parenthesized group a word requires, e.g. `fixed(..)`.
fn parens_after<'a>(
    input: ParseStream<'a>,
    word: &Ident,
    form: &str,
) -> syn::Result<syn::parse::ParseBuffer<'a>> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            word.span(),
            format!("`{word}` needs parameters: {form}"),
        ));
    }
    let content;
    parenthesized!(content in input);
    Ok(content)
}

fn end(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    if input.is_empty() {
        Ok(())
    } else {
        Err(input.error("unexpected token"))
    }
}
