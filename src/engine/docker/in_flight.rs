//! Requests that create something on the daemon and must finish even when their caller
//! is dropped (a run interrupted mid-create): the daemon completes a create whether or
//! not the client is still waiting, so a dropped request would leave a container the
//! sweep, which ran first, never saw. Such a request runs in a task of its own, counted
//! here, and [`InFlight::settled`] waits until none is left before the sweep lists what
//! to remove.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// The creates under way on one engine.
#[derive(Debug, Default, Clone)]
pub(super) struct InFlight {
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    count: AtomicUsize,
    done: Notify,
}

/// One request counted until it is dropped (when its task ends, however it ends).
pub(super) struct Ticket {
    state: Arc<State>,
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.state.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.state.done.notify_waiters();
        }
    }
}

impl InFlight {
    /// Count one more request until the ticket is dropped.
    pub(super) fn enter(&self) -> Ticket {
        self.state.count.fetch_add(1, Ordering::AcqRel);
        Ticket {
            state: self.state.clone(),
        }
    }

    /// Run `request` to its end in a task of its own, even if the caller stops waiting.
    pub(super) async fn finish<T: Send + 'static>(
        &self,
        request: impl std::future::Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        let ticket = self.enter();
        tokio::spawn(async move {
            let _ticket = ticket;
            request.await
        })
        .await
        .ok()
    }

    /// Wait until no counted request is under way, or `limit` has passed (a daemon that
    /// hangs does not hang the cleanup). True when none is left.
    pub(super) async fn settled(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let notified = self.state.done.notified();
            if self.state.count.load(Ordering::Acquire) == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.state.count.load(Ordering::Acquire) == 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_dropped_caller_still_lets_its_request_finish_and_settled_waits_for_it() {
        let in_flight = InFlight::default();
        let finished = Arc::new(AtomicUsize::new(0));
        let seen = finished.clone();
        let request = async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            seen.fetch_add(1, Ordering::SeqCst);
        };
        // The caller gives up after 10 ms: the request goes on.
        let caller = in_flight.finish(request);
        assert!(
            tokio::time::timeout(Duration::from_millis(10), caller)
                .await
                .is_err()
        );
        assert_eq!(finished.load(Ordering::SeqCst), 0);
        assert!(in_flight.settled(Duration::from_secs(5)).await);
        assert_eq!(
            finished.load(Ordering::SeqCst),
            1,
            "settled after the request"
        );
    }

    #[tokio::test]
    async fn settled_gives_up_after_its_limit() {
        let in_flight = InFlight::default();
        let _held = in_flight.enter();
        assert!(!in_flight.settled(Duration::from_millis(50)).await);
    }
}
