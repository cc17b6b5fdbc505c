//! The journal's storage: a first-in first-out queue kept in fixed-size
//! chunks, so it grows to any capacity without copying what it holds (a
//! `VecDeque` moves every record each time it doubles), and a chunk emptied
//! at the front is reused at the back instead of freed.

use std::collections::VecDeque;

/// Records per chunk: one chunk holds the default journal whole.
const CHUNK: usize = 4096;

pub(crate) struct Fifo<T> {
    /// The oldest records. While it is the only chunk (a journal of up to
    /// one chunk, the default), records come and go here alone.
    first: VecDeque<T>,
    /// The newer chunks, oldest first: all full but the last.
    rest: VecDeque<VecDeque<T>>,
    len: usize,
    /// The last chunk emptied, kept for the next one needed.
    spare: Option<VecDeque<T>>,
}

impl<T> Fifo<T> {
    /// Room for `first` records (at most a chunk) is made at once, the rest
    /// chunk by chunk as records come.
    pub(crate) fn new(first: usize) -> Self {
        Fifo {
            first: VecDeque::with_capacity(first.min(CHUNK)),
            rest: VecDeque::new(),
            len: 0,
            spare: None,
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn push_back(&mut self, record: T) {
        self.len += 1;
        if self.rest.is_empty() && self.first.len() < CHUNK {
            self.first.push_back(record);
            return;
        }
        if let Some(last) = self.rest.back_mut()
            && last.len() < CHUNK
        {
            last.push_back(record);
            return;
        }
        let mut chunk = (self.spare.take()).unwrap_or_else(|| VecDeque::with_capacity(CHUNK));
        chunk.push_back(record);
        self.rest.push_back(chunk);
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let record = self.first.pop_front()?;
        self.len -= 1;
        if self.first.is_empty()
            && let Some(next) = self.rest.pop_front()
        {
            self.spare = Some(std::mem::replace(&mut self.first, next));
        }
        Some(record)
    }

    /// The record `at` places from the front.
    #[inline]
    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        match at.checked_sub(self.first.len()) {
            None => self.first.get(at),
            Some(rest) => self.rest.get(rest / CHUNK)?.get(rest % CHUNK),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.first.iter().chain(self.rest.iter().flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::{CHUNK, Fifo};

    #[test]
    fn grows_and_shrinks_in_order_across_chunks() {
        let mut fifo = Fifo::new(10);
        let mut model = std::collections::VecDeque::new();
        // Fill past three chunks, drain past two, refill: every step agrees.
        let steps = [
            (3 * CHUNK + 7, 0),
            (0, 2 * CHUNK + 3),
            (CHUNK + 1, 0),
            (0, 2 * CHUNK),
        ];
        let mut next = 0;
        for (push, pop) in steps {
            for _ in 0..push {
                fifo.push_back(next);
                model.push_back(next);
                next += 1;
            }
            for _ in 0..pop {
                assert_eq!(fifo.pop_front(), model.pop_front());
            }
            assert_eq!(fifo.len(), model.len());
            for at in [
                0,
                1,
                CHUNK - 1,
                CHUNK,
                CHUNK + 1,
                model.len().saturating_sub(1),
                model.len(),
            ] {
                assert_eq!(fifo.get(at), model.get(at), "at {at}");
            }
            assert!(fifo.iter().eq(model.iter()));
        }
        while let Some(x) = fifo.pop_front() {
            assert_eq!(Some(x), model.pop_front());
        }
        assert_eq!(fifo.pop_front(), None);
        assert_eq!(fifo.get(0), None);
    }

    #[test]
    fn a_full_default_journal_stays_in_one_chunk() {
        let mut fifo = Fifo::new(CHUNK);
        for x in 0..3 * CHUNK {
            if fifo.len() >= CHUNK {
                fifo.pop_front();
            }
            fifo.push_back(x);
        }
        assert!(fifo.rest.is_empty());
        assert_eq!(fifo.get(0), Some(&(2 * CHUNK)));
    }
}
