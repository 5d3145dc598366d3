//! The instance lifecycle, computed from timestamps.
//!
//! An instance stores only its latest transition (what, when, how long); the
//! state at any moment follows from the clock. Nothing has to tick, and a
//! restarted simulator finds its instances exactly where they would be.

use serde::{Deserialize, Serialize};

use crate::config::Behaviour;
use crate::errors::ApiError;
use crate::model::Instance;

/// What started the latest transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Create,
    Stop,
    Start,
    Reboot,
    Delete,
}

/// The latest transition: it began at `at` and completes `delay_ms` later. The
/// delay is fixed when the transition begins, so changing the configuration
/// does not move instances already on their way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub step: Step,
    pub at: u64,
    pub delay_ms: u64,
}

impl Transition {
    /// When the transition completes.
    pub fn done_at(&self) -> u64 {
        self.at.saturating_add(self.delay_ms)
    }
}

/// The states the API reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum State {
    Provisioning,
    Active,
    Error,
    Stopping,
    Stopped,
    Starting,
    Rebooting,
    Terminating,
    Terminated,
}

/// An action of `POST .../instances/{id}/actions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Stop,
    Start,
    Reboot,
}

/// Why an instance is where it is (`state_reason`), for states a user did
/// not simply ask for.
#[derive(Debug, Clone, Serialize)]
pub struct StateReason {
    pub code: &'static str,
    pub message: &'static str,
}

impl State {
    /// Running states show the public IP; stopped or going away, it is released.
    pub fn has_public_ip(self) -> bool {
        matches!(self, State::Active | State::Rebooting | State::Stopping)
    }

    /// Whether the instance still occupies quota, its IP and its groups.
    pub fn is_live(self) -> bool {
        self != State::Terminated
    }

    /// The `state_reason` of this state.
    pub fn reason(self) -> Option<StateReason> {
        match self {
            State::Error => Some(StateReason {
                code: "Server.InternalError",
                message: "the instance failed to launch",
            }),
            State::Stopping | State::Stopped => Some(StateReason {
                code: "Client.UserInitiatedShutdown",
                message: "the instance was stopped by its owner",
            }),
            State::Terminating | State::Terminated => Some(StateReason {
                code: "Client.UserInitiatedTermination",
                message: "the instance was deleted by its owner",
            }),
            _ => None,
        }
    }

    /// The upper-case name the API uses.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Provisioning => "PROVISIONING",
            State::Active => "ACTIVE",
            State::Error => "ERROR",
            State::Stopping => "STOPPING",
            State::Stopped => "STOPPED",
            State::Starting => "STARTING",
            State::Rebooting => "REBOOTING",
            State::Terminating => "TERMINATING",
            State::Terminated => "TERMINATED",
        }
    }
}

impl Instance {
    /// The state at `now`.
    pub fn state(&self, now: u64) -> State {
        let t = &self.transition;
        let done = now >= t.done_at();
        match (t.step, done) {
            (Step::Create, false) => State::Provisioning,
            (Step::Create, true) if self.launch_fails => State::Error,
            (Step::Create, true) => State::Active,
            (Step::Stop, false) => State::Stopping,
            (Step::Stop, true) => State::Stopped,
            (Step::Start, false) => State::Starting,
            (Step::Start, true) => State::Active,
            (Step::Reboot, false) => State::Rebooting,
            (Step::Reboot, true) => State::Active,
            (Step::Delete, false) => State::Terminating,
            (Step::Delete, true) => State::Terminated,
        }
    }

    /// When the instance stops occupying resources: when it is (or will be)
    /// TERMINATED, or never if it has not been deleted.
    pub fn end_of_life(&self) -> u64 {
        match self.transition.step {
            Step::Delete => self.transition.done_at(),
            _ => u64::MAX,
        }
    }

    /// Whether a TERMINATED instance has outlived its retention and must answer 404.
    pub fn expired(&self, now: u64, retention_ms: u64) -> bool {
        self.transition.step == Step::Delete
            && now >= self.transition.done_at().saturating_add(retention_ms)
    }

    /// Begin `action` at `now`, or 409 `IncorrectState` if the state forbids it.
    /// Returns the step begun so the caller can allocate what it needs.
    pub fn act(&mut self, action: Action, now: u64, b: &Behaviour) -> Result<Step, ApiError> {
        let state = self.state(now);
        let (allowed_from, step, delay) = match action {
            Action::Stop => (State::Active, Step::Stop, b.stop_delay_ms),
            Action::Start => (State::Stopped, Step::Start, b.start_delay_ms),
            Action::Reboot => (State::Active, Step::Reboot, b.reboot_delay_ms),
        };
        if state != allowed_from {
            return Err(ApiError::conflict(
                "IncorrectState",
                format!(
                    "cannot {} instance {} in state {} (only from {})",
                    format!("{action:?}").to_lowercase(),
                    self.id,
                    state.as_str(),
                    allowed_from.as_str()
                ),
            ));
        }
        self.transition = Transition {
            step,
            at: now,
            delay_ms: delay,
        };
        Ok(step)
    }

    /// Begin termination at `now`. Returns false (and changes nothing) when the
    /// instance is already TERMINATING or TERMINATED: deleting twice is not an error.
    pub fn delete(&mut self, now: u64, b: &Behaviour) -> bool {
        if self.transition.step == Step::Delete {
            return false;
        }
        self.transition = Transition {
            step: Step::Delete,
            at: now,
            delay_ms: b.terminate_delay_ms,
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RootDisk;

    fn instance(fails: bool) -> Instance {
        Instance {
            id: "i-0".into(),
            name: "t".into(),
            spec: "sim.small".into(),
            image: "img-debian-12".into(),
            zone: "z".into(),
            vpc_id: "vpc".into(),
            subnet_id: "subnet".into(),
            security_group_ids: vec![],
            keypair_id: None,
            private_ip: "10.0.0.4".into(),
            public_ip: "198.18.0.1".into(),
            root_disk: RootDisk {
                kind: "standard".into(),
                size_gib: 20,
            },
            tags: Default::default(),
            user_data: None,
            created_at: 1000,
            launch_fails: fails,
            transition: Transition {
                step: Step::Create,
                at: 1000,
                delay_ms: 100,
            },
        }
    }

    #[test]
    fn lifecycle() {
        let b = Behaviour::default();
        let mut i = instance(false);
        assert_eq!(i.state(1099), State::Provisioning);
        assert_eq!(i.state(1100), State::Active);
        assert_eq!(
            i.act(Action::Start, 1100, &b).unwrap_err().code,
            "IncorrectState"
        );
        i.act(Action::Stop, 1200, &b).unwrap();
        assert_eq!(i.state(1200), State::Stopping);
        assert_eq!(i.state(1200 + b.stop_delay_ms), State::Stopped);
        assert!(i.act(Action::Reboot, 1200 + b.stop_delay_ms, &b).is_err());
        let t = 10_000;
        i.act(Action::Start, t, &b).unwrap();
        assert_eq!(i.state(t), State::Starting);
        assert_eq!(i.state(t + b.start_delay_ms), State::Active);
        assert!(i.delete(t + b.start_delay_ms, &b));
        assert!(!i.delete(t + b.start_delay_ms + 1, &b));
        assert_eq!(i.state(t + b.start_delay_ms), State::Terminating);
        let gone = i.end_of_life();
        assert_eq!(i.state(gone), State::Terminated);
        assert!(!i.expired(gone, 10));
        assert!(i.expired(gone + 10, 10));
    }

    #[test]
    fn failed_launch_only_deletes() {
        let b = Behaviour::default();
        let mut i = instance(true);
        assert_eq!(i.state(1100), State::Error);
        assert!(i.act(Action::Stop, 1100, &b).is_err());
        assert!(i.act(Action::Reboot, 1100, &b).is_err());
        assert!(i.delete(1100, &b));
    }
}
