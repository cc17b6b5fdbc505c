//! Durations written the way the DSL reads them (`30s`, `100ms`).

use core::fmt;
use core::time::Duration;

/// Displays a duration in the largest unit that represents it exactly:
/// `Duration::from_millis(1500)` prints `1500ms`, `Duration::from_secs(60)` prints `1m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DisplayDuration(pub Duration);

const UNITS: [(&str, u128); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

impl fmt::Display for DisplayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        // `ns` divides every duration, so the fallback is never needed.
        let (unit, size) = UNITS
            .into_iter()
            .find(|(_, size)| nanos.is_multiple_of(*size))
            .unwrap_or(("ns", 1));
        write!(f, "{}{unit}", nanos / size)
    }
}

/// Displays time elapsed as seconds with milliseconds, `12.345s`; a width
/// (`{:>9}`) right-aligns it, so timelines line up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Elapsed(pub Duration);

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!(
            "{}.{:03}s",
            self.0.as_secs(),
            self.0.subsec_millis()
        ))
    }
}

/// Serializes a duration as its DSL spelling, e.g. `"30s"` (`#[serde(with = "duration")]`).
pub(crate) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&DisplayDuration(*d))
}

/// An optional duration as its DSL spelling, or `null`
/// (`#[serde(serialize_with = "duration::serialize_option")]`).
pub(crate) fn serialize_option<S: serde::Serializer>(
    d: &Option<Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => serialize(d, s),
        None => s.serialize_none(),
    }
}

/// Reads back what [`serialize`] wrote: an integer and a unit, `"1500ms"`.
pub(crate) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
    parse(&text).ok_or_else(|| {
        serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(&text),
            &"a duration such as \"30s\" or \"1500ms\" (units: ns us ms s m h)",
        )
    })
}

/// `"30s"` to 30 seconds; `None` for anything [`DisplayDuration`] would not print.
fn parse(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let nanos_per_unit = UNITS.iter().find(|(name, _)| *name == unit)?.1;
    let nanos = digits.parse::<u128>().ok()?.checked_mul(nanos_per_unit)?;
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    // The remainder of a division by 10^9 always fits in a u32.
    let subsec = u32::try_from(nanos % 1_000_000_000).ok()?;
    Some(Duration::new(secs, subsec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_reads_in_seconds_and_pads() {
        assert_eq!(
            Elapsed(Duration::from_millis(12_345)).to_string(),
            "12.345s"
        );
        assert_eq!(
            format!("{:>8}", Elapsed(Duration::from_millis(5))),
            "  0.005s"
        );
    }

    #[test]
    fn parses_what_it_prints_and_rejects_the_rest() {
        for d in [
            Duration::ZERO,
            Duration::from_millis(1500),
            Duration::from_secs(7200),
            Duration::new(3, 7),
            Duration::MAX,
        ] {
            assert_eq!(parse(&DisplayDuration(d).to_string()), Some(d));
        }
        for bad in [
            "",
            "5",
            "s",
            "5 s",
            "5sec",
            "-5s",
            "1.5s",
            "99999999999999999999999h",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn picks_the_largest_exact_unit() {
        let cases = [
            (Duration::ZERO, "0s"),
            (Duration::from_secs(30), "30s"),
            (Duration::from_secs(120), "2m"),
            (Duration::from_secs(7200), "2h"),
            (Duration::from_millis(1500), "1500ms"),
            (Duration::from_micros(3), "3us"),
            (Duration::from_nanos(7), "7ns"),
        ];
        for (d, text) in cases {
            assert_eq!(DisplayDuration(d).to_string(), text);
        }
    }
}
