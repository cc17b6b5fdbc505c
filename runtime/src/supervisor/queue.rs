//! The roles that may be able to start, taken in start order.
//!
//! A bitset over stop-order ranks (the start order is its reverse): queuing
//! a role sets its bit, taking the next one clears the highest bit set. Both
//! are a few instructions where a binary heap sifted through log n levels,
//! and a role queued twice is queued once.

#[derive(Debug, Default)]
pub(super) struct StartQueue {
    words: Vec<u64>,
    /// No word above this one has a bit set.
    high: usize,
}

impl StartQueue {
    pub(super) fn new(ranks: usize) -> Self {
        StartQueue {
            words: vec![0; ranks.div_ceil(64)],
            high: 0,
        }
    }

    pub(super) fn push(&mut self, rank: usize) {
        let word = rank / 64;
        if let Some(w) = self.words.get_mut(word) {
            *w |= 1 << (rank % 64);
            self.high = self.high.max(word);
        }
    }

    /// The highest rank queued (the earliest in start order), dequeued.
    pub(super) fn pop(&mut self) -> Option<usize> {
        loop {
            let w = self.words.get_mut(self.high)?;
            if *w != 0 {
                let bit = 63 - w.leading_zeros() as usize;
                *w &= !(1 << bit);
                return Some(self.high * 64 + bit);
            }
            if self.high == 0 {
                return None;
            }
            self.high -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StartQueue;

    #[test]
    fn takes_the_highest_rank_first_and_each_once() {
        let mut q = StartQueue::new(200);
        for rank in [3, 130, 64, 3, 199, 0] {
            q.push(rank);
        }
        let mut out = Vec::new();
        while let Some(rank) = q.pop() {
            out.push(rank);
            if rank == 130 {
                q.push(70);
            }
        }
        assert_eq!(out, vec![199, 130, 70, 64, 3, 0]);
        q.push(500);
        assert_eq!(q.pop(), None);
    }
}
