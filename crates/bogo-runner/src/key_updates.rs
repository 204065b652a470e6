//! TLS 1.3 KeyUpdate messages (RFC 8446 §4.6.3), and the rules the shim's
//! KeyUpdates are held to, as upstream's runner holds them: a requested
//! update is answered once, before any application data; with requests of
//! its own the runner accepts nothing else (`RejectUnsolicitedKeyUpdate`);
//! otherwise a KeyUpdate of the shim's own must be expected
//! (`expectUnsolicitedKeyUpdate`), and one that requests an update gets an
//! answer before the runner's next write.

use thiserror::Error;

use crosscheck_model::bogo::KeyUpdateRequest;

use super::record::KEY_UPDATE;

/// A KeyUpdate of the shim's that breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("the shim sent a KeyUpdate with request_update {0}")]
    RequestUpdate(u8),
    #[error("the shim sent a KeyUpdate of {0} bytes instead of 1")]
    Length(usize),
    #[error("the shim answered the runner's KeyUpdate request with a KeyUpdate that requests one")]
    AnswerRequests,
    #[error(
        "the shim sent a KeyUpdate the runner did not ask for (one answers any number of requests)"
    )]
    Unrequested,
    #[error("the shim sent application data before answering the runner's KeyUpdate request")]
    DataBeforeAnswer,
    #[error("the shim sent a KeyUpdate of its own, which the test does not expect")]
    Unexpected,
    #[error("the shim sent no KeyUpdate of its own before its reply")]
    Missing,
}

/// A KeyUpdate handshake message, header included.
pub fn message(request: KeyUpdateRequest) -> [u8; 5] {
    [KEY_UPDATE, 0, 0, 1, request.wire()]
}

/// The body of a KeyUpdate from the shim.
fn parse(body: &[u8]) -> Result<KeyUpdateRequest, Error> {
    match body {
        [0] => Ok(KeyUpdateRequest::NotRequested),
        [1] => Ok(KeyUpdateRequest::Requested),
        [other] => Err(Error::RequestUpdate(*other)),
        _ => Err(Error::Length(body.len())),
    }
}

/// What the runner has seen of the shim's KeyUpdates, and what it owes.
/// Every error is a broken rule, for the runner's error message.
#[derive(Debug, Default)]
pub struct ShimKeyUpdates {
    /// Only answers to the runner's requests are allowed.
    reject_unsolicited: bool,
    /// The test expects a KeyUpdate of the shim's own.
    unsolicited_expected: bool,
    unsolicited_seen: bool,
    /// The runner requested an update the shim has not answered yet.
    answer_due_from_shim: bool,
    /// The shim requested an update the runner has not answered yet.
    answer_due_from_runner: bool,
}

impl ShimKeyUpdates {
    /// `runner_requests`: the runner's own KeyUpdates request updates.
    pub fn new(runner_requests: bool, unsolicited_expected: bool) -> ShimKeyUpdates {
        ShimKeyUpdates {
            reject_unsolicited: runner_requests,
            unsolicited_expected,
            ..ShimKeyUpdates::default()
        }
    }

    /// The runner sent a KeyUpdate.
    pub fn sent(&mut self, request: KeyUpdateRequest) {
        if request == KeyUpdateRequest::Requested {
            self.answer_due_from_shim = true;
        }
    }

    /// The shim sent a KeyUpdate with this body; when it is acceptable,
    /// the runner moves to the shim's next traffic secret.
    pub fn received(&mut self, body: &[u8]) -> Result<(), Error> {
        let request = parse(body)?;
        if self.answer_due_from_shim {
            if request == KeyUpdateRequest::Requested {
                return Err(Error::AnswerRequests);
            }
            self.answer_due_from_shim = false;
            return Ok(());
        }
        self.unsolicited_seen = true;
        if self.reject_unsolicited {
            return Err(Error::Unrequested);
        }
        if request == KeyUpdateRequest::Requested {
            self.answer_due_from_runner = true;
        }
        Ok(())
    }

    /// The shim sent application data.
    pub fn application_data(&self) -> Result<(), Error> {
        if self.answer_due_from_shim {
            return Err(Error::DataBeforeAnswer);
        }
        Ok(())
    }

    /// Whether the runner must answer a request of the shim's before its
    /// next write; true once per request.
    pub fn take_answer_due(&mut self) -> bool {
        std::mem::take(&mut self.answer_due_from_runner)
    }

    /// Checked after each reply of the shim's.
    pub fn after_reply(&self) -> Result<(), Error> {
        match (self.unsolicited_seen, self.unsolicited_expected) {
            (true, false) => Err(Error::Unexpected),
            (false, true) => Err(Error::Missing),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT_REQUESTED: &[u8] = &[0];
    const REQUESTED: &[u8] = &[1];

    #[test]
    fn messages_are_five_bytes() {
        assert_eq!(message(KeyUpdateRequest::NotRequested), [24, 0, 0, 1, 0]);
        assert_eq!(message(KeyUpdateRequest::Requested), [24, 0, 0, 1, 1]);
        assert_eq!(message(KeyUpdateRequest::Invalid(42)), [24, 0, 0, 1, 42]);
    }

    #[test]
    fn malformed_key_updates_are_errors() {
        let mut updates = ShimKeyUpdates::new(false, true);
        assert!(updates.received(&[]).is_err());
        assert!(updates.received(&[0, 0]).is_err());
        assert_eq!(
            updates.received(&[42]).unwrap_err().to_string(),
            "the shim sent a KeyUpdate with request_update 42"
        );
    }

    #[test]
    fn requests_are_answered_once_before_application_data() {
        let mut updates = ShimKeyUpdates::new(true, false);
        updates.application_data().unwrap();
        for _ in 0..5 {
            updates.sent(KeyUpdateRequest::Requested);
        }
        assert!(updates.application_data().is_err());
        updates.received(NOT_REQUESTED).unwrap();
        updates.application_data().unwrap();
        updates.after_reply().unwrap();
        assert!(updates.received(NOT_REQUESTED).is_err(), "a second answer");

        let mut updates = ShimKeyUpdates::new(true, false);
        updates.sent(KeyUpdateRequest::Requested);
        assert!(updates.received(REQUESTED).is_err());
    }

    #[test]
    fn the_shims_own_key_updates_must_be_expected() {
        let mut updates = ShimKeyUpdates::new(false, false);
        updates.sent(KeyUpdateRequest::NotRequested);
        updates.application_data().unwrap();
        updates.after_reply().unwrap();
        updates.received(NOT_REQUESTED).unwrap();
        assert!(!updates.take_answer_due());
        assert!(updates.after_reply().is_err());

        let mut updates = ShimKeyUpdates::new(false, true);
        assert!(updates.after_reply().is_err());
        updates.received(REQUESTED).unwrap();
        updates.after_reply().unwrap();
        assert!(updates.take_answer_due());
        assert!(!updates.take_answer_due(), "answered once");
    }
}
