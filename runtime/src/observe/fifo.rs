//! The journal's storage: a ring of records kept in fixed-size chunks.
//!
//! It grows to any capacity without copying what it holds (a `VecDeque`
//! moves every record each time it doubles), chunk by chunk as records
//! come, and once full it writes the newest record in the oldest one's
//! slot: every record, the steady state's included, is one slot written.

/// Slots per chunk: one chunk holds the default journal whole.
const CHUNK: usize = 1 << SHIFT;
const SHIFT: u32 = 12;

/// What the ring keeps: a record whose drop would free nothing is written
/// over without one (a drop is a call, the common record owns nothing).
pub(crate) trait Record {
    fn owns_nothing(&self) -> bool;
}

pub(crate) struct Fifo<T> {
    /// The ring's slots, `CHUNK` to a chunk but the last, which may have
    /// fewer so that the ring is as large as the capacity asked for. A slot
    /// holds no record unless it is one of the `len` from `head` on.
    chunks: Vec<Vec<Option<T>>>,
    /// The slots in the ring: every chunk's length, summed.
    size: usize,
    /// The slot of the oldest record.
    head: usize,
    len: usize,
    /// The most records kept: a new one beyond drops the oldest.
    capacity: usize,
    /// The `len` at which a new record takes the oldest's slot: the
    /// capacity while the ring has that many slots, else never.
    full: usize,
}

impl<T: Record> Fifo<T> {
    /// Keeping at most `capacity` records (at least 1); room for as many
    /// (at most a chunk) is made at once, the rest chunk by chunk as
    /// records come.
    pub(crate) fn new(capacity: usize) -> Self {
        let mut fifo = Fifo {
            chunks: vec![Vec::with_capacity(capacity.clamp(1, CHUNK))],
            size: 0,
            head: 0,
            len: 0,
            capacity: 0,
            full: 0,
        };
        fifo.set_capacity(capacity);
        fifo
    }

    /// From the next record on, at most `capacity` are kept (at least 1).
    pub(crate) fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.find_full();
    }

    fn find_full(&mut self) {
        self.full = if self.size == self.capacity {
            self.size
        } else {
            usize::MAX
        };
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The slot `at` places after the oldest record's, round the ring.
    #[inline]
    fn slot(&self, at: usize) -> usize {
        let slot = self.head + at;
        if slot >= self.size {
            slot - self.size
        } else {
            slot
        }
    }

    /// Slot `slot`; every slot below `size` exists.
    #[inline]
    fn at_mut(&mut self, slot: usize) -> &mut Option<T> {
        &mut self.chunks[slot >> SHIFT][slot & (CHUNK - 1)]
    }

    /// Appends `record`, first dropping the oldest records beyond the
    /// capacity; returns how many were dropped.
    #[inline]
    pub(crate) fn push(&mut self, record: T) -> usize {
        if self.len == self.full {
            // Full: the newest takes the oldest's slot.
            let head = self.head;
            let next = head + 1;
            self.head = if next == self.size { 0 } else { next };
            match self.at_mut(head) {
                Some(old) if old.owns_nothing() => std::mem::forget(std::mem::replace(old, record)),
                slot => *slot = Some(record),
            }
            return 1;
        }
        let dropped = if self.len < self.capacity {
            0
        } else {
            self.shrink_below(self.capacity)
        };
        if self.len == self.size {
            self.grow();
        }
        let tail = self.slot(self.len);
        self.len += 1;
        *self.at_mut(tail) = Some(record);
        dropped
    }

    /// Drops the oldest records until fewer than `capacity` remain; returns
    /// how many.
    #[cold]
    fn shrink_below(&mut self, capacity: usize) -> usize {
        let mut dropped = 0;
        while self.len >= capacity && self.pop_front().is_some() {
            dropped += 1;
        }
        dropped
    }

    #[cold]
    fn grow(&mut self) {
        self.add_slots();
        self.find_full();
    }

    /// Adds empty slots where the next record goes, towards the capacity: at
    /// the end while the ring has not wrapped, else a gap at the wrap point
    /// (moving at most one chunk's records).
    fn add_slots(&mut self) {
        let last = self.chunks.len() - 1;
        let (chunk, at) = (self.head >> SHIFT, self.head & (CHUNK - 1));
        let room = CHUNK - self.chunks[last].len();
        // What a chunk's room may add: all of it until the capacity is near.
        let gap = room.min(self.capacity.saturating_sub(self.size)).max(1);
        if self.head == 0 {
            if room == 0 {
                self.chunks.push(Vec::with_capacity(CHUNK));
                return self.add_slots();
            }
            let end = &mut self.chunks[last];
            end.resize_with(end.len() + gap, || None);
            self.size += gap;
        } else if chunk == last && room > 0 {
            // The records from `at` on are the oldest: the new slots go before them.
            let end = &mut self.chunks[last];
            end.resize_with(end.len() + gap, || None);
            end[at..].rotate_right(gap);
            self.head += gap;
            self.size += gap;
        } else {
            // A chunk of empty slots after `chunk`, the oldest records of
            // `chunk` moved to the same places in it.
            let mut new: Vec<Option<T>> = std::iter::repeat_with(|| None).take(CHUNK).collect();
            new[at..].swap_with_slice(&mut self.chunks[chunk][at..]);
            self.chunks.insert(chunk + 1, new);
            self.head += CHUNK;
            self.size += CHUNK;
        }
    }

    fn pop_front(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let head = self.head;
        let record = self.at_mut(head).take()?;
        self.head = self.slot(1);
        self.len -= 1;
        Some(record)
    }

    /// The record `at` places from the front.
    #[inline]
    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        if at >= self.len {
            return None;
        }
        let slot = self.slot(at);
        self.chunks
            .get(slot >> SHIFT)?
            .get(slot & (CHUNK - 1))?
            .as_ref()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        (0..self.len).filter_map(|at| self.get(at))
    }
}

#[cfg(test)]
mod tests {
    use super::{CHUNK, Fifo, Record};

    /// Both ways of writing over a record, taken in turn.
    impl Record for usize {
        fn owns_nothing(&self) -> bool {
            self.is_multiple_of(2)
        }
    }

    /// `fifo` and `model` hold the same records, found the same way.
    fn agree(fifo: &Fifo<usize>, model: &std::collections::VecDeque<usize>) {
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

    #[test]
    fn grows_and_shrinks_in_order_across_chunks() {
        let mut fifo = Fifo::new(usize::MAX);
        let mut model = std::collections::VecDeque::new();
        // Fill past three chunks, drain past two, refill: every step agrees.
        let steps = [
            (3 * CHUNK + 7, 0),
            (0, 2 * CHUNK + 3),
            (CHUNK + 1, 0),
            (0, 2 * CHUNK),
            (3 * CHUNK, 0),
        ];
        let mut next = 0;
        for (push, pop) in steps {
            for _ in 0..push {
                assert_eq!(fifo.push(next), 0);
                model.push_back(next);
                next += 1;
            }
            for _ in 0..pop {
                assert_eq!(fifo.pop_front(), model.pop_front());
            }
            agree(&fifo, &model);
        }
        while let Some(x) = fifo.pop_front() {
            assert_eq!(Some(x), model.pop_front());
        }
        assert_eq!(fifo.pop_front(), None);
        assert_eq!(fifo.get(0), None);
    }

    #[test]
    fn a_capacity_that_changes_keeps_the_newest_in_order() {
        // A full ring that wraps, then grows (in its last chunk or before
        // it), shrinks and grows again: every step agrees with the model.
        let capacities = [
            (10, 25),
            (100, 250),
            (CHUNK + 10, 3 * CHUNK),
            (3 * CHUNK + 5, 5 * CHUNK),
            (CHUNK / 2, CHUNK),
            (2 * CHUNK + 1, 3 * CHUNK),
            (1, 3),
            (0, 3),
            (CHUNK + 3, 2 * CHUNK),
        ];
        let mut fifo = Fifo::new(10);
        let mut model = std::collections::VecDeque::new();
        let mut next = 0;
        for (capacity, pushes) in capacities {
            fifo.set_capacity(capacity);
            for _ in 0..pushes {
                let mut dropped = 0;
                while model.len() >= capacity.max(1) {
                    model.pop_front();
                    dropped += 1;
                }
                model.push_back(next);
                assert_eq!(fifo.push(next), dropped);
                next += 1;
            }
            agree(&fifo, &model);
        }
    }

    #[test]
    fn a_full_default_journal_stays_in_one_chunk() {
        let mut fifo = Fifo::new(CHUNK);
        for x in 0..3 * CHUNK {
            fifo.push(x);
        }
        assert_eq!(fifo.chunks.len(), 1);
        assert_eq!(fifo.get(0), Some(&(2 * CHUNK)));
    }
}
