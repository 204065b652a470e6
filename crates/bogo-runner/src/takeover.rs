//! The application data phase on the runner's own records ([`Protected`])
//! after rustls' handshake: before each of its messages the runner sends
//! its KeyUpdates (with the request the case asks for, which rustls cannot
//! send) and then its post-handshake misbehaviour; the shim's KeyUpdates
//! are followed and held to upstream's rules ([`ShimKeyUpdates`]).

use crosscheck_model::bogo::{Case, KeyUpdateRequest, Misbehaviour, RecordAt};

use super::alerts::{remote_error, rustls_error};
use super::connection::{Channel, ConnectionError};
use super::key_updates::{self, ShimKeyUpdates};
use super::protected::Protected;
use super::record::{
    ALERT, APPLICATION_DATA, HANDSHAKE, KEY_UPDATE, MAX_FRAGMENT, NEW_SESSION_TICKET,
    handshake_name, take_handshake_messages,
};
use super::wire::Wire;

/// A connection after rustls: the wire and the runner's own records.
pub struct Takeover {
    protected: Protected,
    wire: Wire,
    tls13: bool,
    /// KeyUpdates before each of the runner's messages.
    key_updates: u32,
    key_update_request: KeyUpdateRequest,
    /// After them, before each message.
    misbehaviour: Option<Misbehaviour>,
    shim_key_updates: ShimKeyUpdates,
    /// Application data rustls had already decrypted.
    pending: Vec<u8>,
    /// Post-handshake handshake bytes not yet forming a whole message.
    handshake: Vec<u8>,
}

impl Takeover {
    /// Carries on `case`'s connection on `wire`, where rustls left off.
    pub fn new(
        case: &Case,
        protected: Protected,
        wire: Wire,
        tls13: bool,
        pending: Vec<u8>,
    ) -> Takeover {
        let peer = &case.peer;
        let runner_requests = peer.key_updates_after_handshake > 0
            && peer.key_update_request == KeyUpdateRequest::Requested;
        Takeover {
            protected,
            wire,
            tls13,
            key_updates: peer.key_updates_after_handshake,
            key_update_request: peer.key_update_request,
            misbehaviour: peer
                .misbehaviour
                .clone()
                .filter(Misbehaviour::is_after_handshake),
            shim_key_updates: ShimKeyUpdates::new(
                runner_requests,
                case.expect.unsolicited_key_update,
            ),
            pending,
            handshake: Vec::new(),
        }
    }

    fn seal(
        &mut self,
        content_type: u8,
        body: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), ConnectionError> {
        let record = self
            .protected
            .seal(content_type, body)
            .map_err(|error| ConnectionError::Runner(error.to_string()))?;
        out.extend_from_slice(&record);
        Ok(())
    }

    /// A KeyUpdate under the current keys, then the next ones.
    fn key_update(
        &mut self,
        request: KeyUpdateRequest,
        out: &mut Vec<u8>,
    ) -> Result<(), ConnectionError> {
        self.seal(HANDSHAKE, &key_updates::message(request), out)?;
        self.protected
            .update_write_keys()
            .map_err(|error| ConnectionError::Runner(error.to_string()))?;
        self.shim_key_updates.sent(request);
        Ok(())
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), ConnectionError> {
        if bytes.is_empty() {
            return Ok(());
        }
        match self.wire.send(bytes) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.after_failed_write(error)),
        }
    }

    fn after_failed_write(&mut self, error: ConnectionError) -> ConnectionError {
        let mut ignored = Vec::new();
        loop {
            match self.receive(&mut ignored) {
                Ok(true) => {}
                Ok(false) => return error,
                Err(reason) => return reason,
            }
        }
    }

    /// Opens the shim's next record; application data goes to `data`.
    /// False at the end of the stream or at close_notify.
    fn receive(&mut self, data: &mut Vec<u8>) -> Result<bool, ConnectionError> {
        let Some(record) = self.wire.next_record()? else {
            return Ok(false);
        };
        let (content_type, body) = self
            .protected
            .open(record)
            .map_err(|error| ConnectionError::Local(rustls_error(&error)))?;
        match content_type {
            APPLICATION_DATA => {
                self.shim_key_updates
                    .application_data()
                    .map_err(|error| ConnectionError::Local(error.to_string()))?;
                data.extend_from_slice(&body);
                Ok(true)
            }
            ALERT => match body.as_slice() {
                [_, 0] => Ok(false),
                [_, description] => Err(ConnectionError::Local(remote_error(*description))),
                _ => Err(ConnectionError::Local(
                    "the shim sent a malformed alert".to_string(),
                )),
            },
            HANDSHAKE => {
                self.handshake.extend_from_slice(&body);
                let messages = take_handshake_messages(&mut self.handshake);
                let last = messages.len().saturating_sub(1);
                for (index, message) in messages.into_iter().enumerate() {
                    match message.message_type {
                        // Tickets after the takeover cannot reach rustls' store.
                        NEW_SESSION_TICKET if self.tls13 => {}
                        KEY_UPDATE if self.tls13 => {
                            if index != last || !self.handshake.is_empty() {
                                return Err(ConnectionError::Local(
                                    "the shim's KeyUpdate does not end its record".to_string(),
                                ));
                            }
                            self.shim_key_updates
                                .received(&message.body)
                                .map_err(|error| ConnectionError::Local(error.to_string()))?;
                            self.protected
                                .update_read_keys()
                                .map_err(|error| ConnectionError::Runner(error.to_string()))?;
                        }
                        other => {
                            return Err(ConnectionError::Local(format!(
                                "the shim sent an unexpected {} after the handshake",
                                handshake_name(other)
                            )));
                        }
                    }
                }
                Ok(true)
            }
            other => Err(ConnectionError::Local(format!(
                "the shim sent a record of unexpected type {other}"
            ))),
        }
    }
}

impl Channel for Takeover {
    fn read_exact(&mut self, length: usize) -> Result<Vec<u8>, ConnectionError> {
        let mut data = std::mem::take(&mut self.pending);
        while data.len() < length {
            let mut received = Vec::new();
            let open = self.receive(&mut received)?;
            data.extend_from_slice(&received);
            if !open && data.len() < length {
                return Err(ConnectionError::Local(format!(
                    "the shim closed the connection after {} of {length} bytes",
                    data.len()
                )));
            }
        }
        self.pending = data.split_off(length);
        Ok(data)
    }

    fn write(&mut self, data: &[u8]) -> Result<(), ConnectionError> {
        let mut out = Vec::new();
        if self.shim_key_updates.take_answer_due() {
            self.key_update(KeyUpdateRequest::NotRequested, &mut out)?;
        }
        for chunk in data.chunks(MAX_FRAGMENT) {
            self.seal(APPLICATION_DATA, chunk, &mut out)?;
        }
        self.send(&out)
    }

    fn before_message(&mut self) -> Result<(), ConnectionError> {
        let mut out = Vec::new();
        for _ in 0..self.key_updates {
            self.key_update(self.key_update_request, &mut out)?;
        }
        match self.misbehaviour.clone() {
            None => {}
            Some(Misbehaviour::Alert { level, description }) => {
                self.seal(ALERT, &[level, description], &mut out)?;
            }
            Some(Misbehaviour::BogusAlert(body)) => self.seal(ALERT, &body, &mut out)?,
            Some(Misbehaviour::EmptyRecords(count)) => {
                for _ in 0..count {
                    self.seal(APPLICATION_DATA, &[], &mut out)?;
                }
            }
            Some(Misbehaviour::InvalidRecordType {
                content_type,
                at: RecordAt::AfterHandshake,
            }) => self.seal(content_type, &[0], &mut out)?,
            Some(other) => {
                return Err(ConnectionError::Runner(format!(
                    "{other:?} is not a post-handshake misbehaviour"
                )));
            }
        }
        self.send(&out)
    }

    fn after_reply(&mut self) -> Result<(), ConnectionError> {
        self.shim_key_updates
            .after_reply()
            .map_err(|error| ConnectionError::Local(error.to_string()))
    }

    fn expect_close(&mut self) -> Result<(), ConnectionError> {
        loop {
            let mut data = std::mem::take(&mut self.pending);
            let open = self.receive(&mut data)?;
            if !data.is_empty() {
                return Err(ConnectionError::Local(format!(
                    "the shim sent {} bytes of application data instead of shutting down",
                    data.len()
                )));
            }
            if !open {
                return Ok(());
            }
        }
    }

    fn close(mut self) {
        let mut out = Vec::new();
        if self.seal(ALERT, &[1, 0], &mut out).is_ok() {
            let _ = self.wire.send(&out);
        }
    }
}
