//! Who waits for a change of one incarnation (its stop, its drain, its
//! hand-over): a list of wakers kept under the incarnation's lock, and the
//! future that waits on it.
//!
//! A waiting future holds a reference and a number, 24 bytes, where a
//! `tokio::sync::Notified` holds its whole list entry (64 bytes): for a
//! service that only waits to be stopped, that is what takes tokio's task
//! past 256 bytes into its next size, 384. The first waiter is kept inline
//! (one task waits, as a rule), the others in a vector made for them.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context as TaskCx, Poll, Waker};

/// The others, past the first: boxed, 8 bytes where a `Vec` is 24 in every
/// incarnation, nearly all of which have one waiter or none.
type Rest = Option<Box<Vec<(u64, Waker)>>>;

/// The wakers of one incarnation's waiting futures, each under its number.
#[derive(Debug, Default)]
pub(crate) struct Waiters {
    next: u64,
    first: Option<(u64, Waker)>,
    rest: Rest,
}

impl Waiters {
    /// Keeps `waker` under `id`, or under a new number; returns the number.
    fn register(&mut self, id: Option<u64>, waker: &Waker) -> u64 {
        if let Some(id) = id
            && let Some(kept) = self.find(id)
        {
            if !kept.will_wake(waker) {
                kept.clone_from(waker);
            }
            return id;
        }
        let id = id.unwrap_or_else(|| {
            self.next += 1;
            self.next
        });
        if self.first.is_none() {
            self.first = Some((id, waker.clone()));
        } else {
            self.rest
                .get_or_insert_with(Box::default)
                .push((id, waker.clone()));
        }
        id
    }

    fn find(&mut self, id: u64) -> Option<&mut Waker> {
        if let Some((first, waker)) = self.first.as_mut()
            && *first == id
        {
            return Some(waker);
        }
        let rest = self.rest.as_deref_mut()?;
        rest.iter_mut().find(|(i, _)| *i == id).map(|(_, w)| w)
    }

    fn remove(&mut self, id: u64) {
        if self.first.as_ref().is_some_and(|(first, _)| *first == id) {
            self.first = None;
        } else if let Some(rest) = self.rest.as_deref_mut() {
            rest.retain(|(i, _)| *i != id);
        }
    }

    /// Every waiter, to be woken once the lock is let go.
    pub(crate) fn take(&mut self) -> Woken {
        Woken {
            first: self.first.take(),
            rest: self.rest.take(),
        }
    }
}

/// The wakers taken from a [`Waiters`]: woken by [`Woken::wake`].
pub(crate) struct Woken {
    first: Option<(u64, Waker)>,
    rest: Rest,
}

impl Woken {
    pub(crate) fn wake(self) {
        if let Some((_, waker)) = self.first {
            waker.wake();
        }
        for (_, waker) in self.rest.into_iter().flat_map(|rest| *rest) {
            waker.wake();
        }
    }
}

/// What keeps a [`Waiters`], under its lock.
pub(crate) trait Watched {
    fn with_waiters<T>(&self, f: impl FnOnce(&mut Waiters) -> T) -> T;
}

/// Completes once `done` holds for `of`, checked at each poll; between
/// polls it waits in `of`'s list, and every change takes the whole list.
pub(crate) struct Until<'a, T: Watched, F: Fn(&T) -> bool> {
    of: &'a T,
    done: F,
    /// Its number in the list, once it has waited (it may have been taken
    /// from the list since).
    waiting: Option<u64>,
}

impl<'a, T: Watched, F: Fn(&T) -> bool> Until<'a, T, F> {
    pub(crate) fn new(of: &'a T, done: F) -> Self {
        Until {
            of,
            done,
            waiting: None,
        }
    }
}

impl<T: Watched, F: Fn(&T) -> bool + Unpin> Future for Until<'_, T, F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut TaskCx<'_>) -> Poll<()> {
        let this = self.get_mut();
        if (this.done)(this.of) {
            return Poll::Ready(());
        }
        let id = this.waiting;
        let id = (this.of).with_waiters(|waiters| waiters.register(id, cx.waker()));
        this.waiting = Some(id);
        // A change made before it was in the list took the list without it:
        // a change is made before its waiters are taken, so look again.
        if (this.done)(this.of) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl<T: Watched, F: Fn(&T) -> bool> Drop for Until<'_, T, F> {
    fn drop(&mut self) {
        // What it waited for holds: whoever made it hold takes the list
        // afterwards (or has), its entry with it. Only a wait given up
        // (another branch of a `select!` won) takes itself out.
        if let Some(id) = self.waiting
            && !(self.done)(self.of)
        {
            self.of.with_waiters(|waiters| waiters.remove(id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Until, Waiters, Watched};
    use core::future::Future;
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Wake, Waker};

    /// A flag and its waiters, as an incarnation keeps its stop request.
    #[derive(Default)]
    struct Flag {
        set: AtomicBool,
        waiters: Mutex<Waiters>,
    }

    impl Watched for Flag {
        fn with_waiters<T>(&self, f: impl FnOnce(&mut Waiters) -> T) -> T {
            f(&mut self.waiters.lock().unwrap_or_else(|e| e.into_inner()))
        }
    }

    impl Flag {
        fn until(&self) -> Until<'_, Self, impl Fn(&Self) -> bool + Unpin> {
            Until::new(self, |flag: &Flag| flag.set.load(Ordering::Acquire))
        }

        fn set(&self) {
            self.set.store(true, Ordering::Release);
            let woken = self.with_waiters(Waiters::take);
            woken.wake();
        }

        fn waiting(&self) -> usize {
            self.with_waiters(|w| {
                usize::from(w.first.is_some()) + w.rest.as_ref().map_or(0, |r| r.len())
            })
        }
    }

    #[test]
    fn a_wait_given_up_leaves_the_list_and_a_met_one_completes() {
        let flag = Flag::default();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        let mut cx = Context::from_waker(&waker);
        // A `select!` loop makes and drops a wait each turn: the list stays small.
        for _ in 0..1000 {
            let mut wait = flag.until();
            assert_eq!(Pin::new(&mut wait).poll(&mut cx), Poll::Pending);
            assert_eq!(flag.waiting(), 1);
        }
        assert_eq!(flag.waiting(), 0);
        // Two waits at once, the second beside the first; both woken once.
        let (mut a, mut b) = (flag.until(), flag.until());
        assert_eq!(Pin::new(&mut a).poll(&mut cx), Poll::Pending);
        assert_eq!(Pin::new(&mut b).poll(&mut cx), Poll::Pending);
        assert_eq!(Pin::new(&mut a).poll(&mut cx), Poll::Pending);
        assert_eq!(flag.waiting(), 2);
        flag.set();
        assert_eq!(count.0.load(Ordering::SeqCst), 2);
        assert_eq!(flag.waiting(), 0);
        assert_eq!(Pin::new(&mut a).poll(&mut cx), Poll::Ready(()));
        assert_eq!(Pin::new(&mut b).poll(&mut cx), Poll::Ready(()));
        drop((a, b));
        // Once set, a new wait completes at once and never waits.
        let mut late = flag.until();
        assert_eq!(Pin::new(&mut late).poll(&mut cx), Poll::Ready(()));
        assert_eq!(flag.waiting(), 0);
    }

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn every_waiter_registered_is_woken_once_and_a_removed_one_never() {
        let counts: Vec<Arc<Count>> = (0..4)
            .map(|_| Arc::new(Count(AtomicUsize::new(0))))
            .collect();
        let wakers: Vec<Waker> = counts.iter().map(|c| Waker::from(Arc::clone(c))).collect();
        let mut waiters = Waiters::default();
        let ids: Vec<u64> = wakers.iter().map(|w| waiters.register(None, w)).collect();
        // Registered again: kept once, under the same number.
        assert_eq!(waiters.register(Some(ids[1]), &wakers[1]), ids[1]);
        waiters.remove(ids[2]);
        waiters.take().wake();
        let woken: Vec<usize> = counts.iter().map(|c| c.0.load(Ordering::SeqCst)).collect();
        assert_eq!(woken, [1, 1, 0, 1]);
        // The list is empty after a take.
        waiters.take().wake();
        let woken: Vec<usize> = counts.iter().map(|c| c.0.load(Ordering::SeqCst)).collect();
        assert_eq!(woken, [1, 1, 0, 1]);
    }
}
