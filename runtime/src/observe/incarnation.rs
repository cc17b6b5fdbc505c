//! A role's current (or last) incarnation, if it has had one, in 8 bytes:
//! the number plus one, 0 for none, where an `Option<u64>` takes 16. The
//! supervisor's slot and the state table keep one for every role.

/// `Option<u64>` of an incarnation number, packed. Incarnations count from 0
/// by one per restart: the last value, `u64::MAX`, is never reached, and
/// would read back one less.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LastIncarnation(u64);

impl LastIncarnation {
    pub(crate) const NONE: Self = LastIncarnation(0);

    pub(crate) fn new(incarnation: Option<u64>) -> Self {
        LastIncarnation(incarnation.map_or(0, |i| i.saturating_add(1)))
    }

    pub(crate) fn get(self) -> Option<u64> {
        self.0.checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::LastIncarnation;

    #[test]
    fn reads_back_what_it_was_given() {
        for value in [None, Some(0), Some(1), Some(1 << 40), Some(u64::MAX - 1)] {
            assert_eq!(LastIncarnation::new(value).get(), value);
        }
        assert_eq!(LastIncarnation::NONE.get(), None);
        assert_eq!(size_of::<LastIncarnation>(), 8);
    }
}
