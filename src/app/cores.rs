//! Independent work spread over every core: each worker takes the next item when it is
//! done, so one long item does not hold the others back.

/// `work` done on each of `items`, on every core; the results in the items' order.
pub(crate) fn on_every_core<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if workers <= 1 {
        return items.iter().map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<Option<R>> = items.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let worker = || {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = items.get(i) else { return mine };
                mine.push((i, work(item)));
            }
        };
        // This thread is one of the workers, rather than waiting while a thread started for
        // each core does the work: one thread fewer to start, with its own memory and its
        // own PDF compressor to set up.
        let others: Vec<_> = (1..workers).map(|_| scope.spawn(worker)).collect();
        for (i, result) in worker() {
            done[i] = Some(result);
        }
        for w in others {
            for (i, result) in w.join().expect("a worker does not panic") {
                done[i] = Some(result);
            }
        }
    });
    done.into_iter().map(|r| r.expect("every item was taken by a worker")).collect()
}

/// `a` and `b` at once, `a` on another thread (or after `b`, where no thread can be
/// started).
pub(crate) fn join<A: Send, B>(a: impl Fn() -> A + Sync, b: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, &a);
        let b = b();
        let a = match other {
            Ok(other) => other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => a(),
        };
        (a, b)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_is_worked_once_and_the_results_keep_the_items_order() {
        let items: Vec<u64> = (0..1_000).collect();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let squares = super::on_every_core(&items, |n| {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            n * n
        });
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
        assert_eq!(calls.into_inner(), items.len());
        assert!(super::on_every_core(&[] as &[u64], |n| *n).is_empty());
    }

    #[test]
    fn both_halves_of_a_join_are_done_on_two_threads() {
        let here = std::thread::current().id();
        let (a, b) = super::join(|| std::thread::current().id(), || std::thread::current().id());
        assert_eq!(b, here);
        assert_ne!(a, here);
    }
}
