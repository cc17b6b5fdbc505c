//! An optional number in one word: the number plus one, 0 for none, where an
//! `Option<u64>` takes two. The supervisor's slot and the state table keep a
//! role's current (or last) incarnation this way, one for every role, and
//! the journal's compact records pack their numbers the same way into 32
//! bits when they fit.

/// `Option<u64>`, packed. The last value, `u64::MAX`, has no room and reads
/// back one less; incarnations, counted from 0 by one per restart, never
/// reach it, and a journal record whose number does not fit is kept whole.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct OptionalNumber(u64);

impl OptionalNumber {
    pub(crate) const NONE: Self = OptionalNumber(0);

    pub(crate) fn new(number: Option<u64>) -> Self {
        OptionalNumber(number.map_or(0, |n| n.saturating_add(1)))
    }

    /// The packed word: below 2³² when the number fits a `u32` with room.
    #[inline]
    pub(crate) fn code(self) -> u64 {
        self.0
    }

    pub(crate) fn from_code(code: u64) -> Self {
        OptionalNumber(code)
    }

    pub(crate) fn get(self) -> Option<u64> {
        self.0.checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::OptionalNumber;

    #[test]
    fn reads_back_what_it_was_given() {
        for value in [None, Some(0), Some(1), Some(1 << 40), Some(u64::MAX - 1)] {
            assert_eq!(OptionalNumber::new(value).get(), value);
            let code = OptionalNumber::new(value).code();
            assert_eq!(OptionalNumber::from_code(code).get(), value);
        }
        assert_eq!(OptionalNumber::NONE.get(), None);
        assert_eq!(size_of::<OptionalNumber>(), 8);
    }
}
