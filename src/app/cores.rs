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
        let workers: Vec<_> = (0..workers).map(|_| scope.spawn(worker)).collect();
        for w in workers {
            for (i, result) in w.join().expect("a worker does not panic") {
                done[i] = Some(result);
            }
        }
    });
    done.into_iter().map(|r| r.expect("every item was taken by a worker")).collect()
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
}
