//! Listening TCP sockets as the kernel's socket diagnostics report them: one
//! dump per address family, of sockets in state LISTEN on one port.

use std::io;

use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_sock_diag::SockDiagMessage;
use netlink_packet_sock_diag::constants::{AF_INET, AF_INET6, IPPROTO_TCP};
use netlink_packet_sock_diag::inet::{ExtensionFlags, InetRequest, SocketId, StateFlags};
use netlink_sys::protocols::NETLINK_SOCK_DIAG;
use netlink_sys::{Socket, SocketAddr};
use nix::libc::MSG_TRUNC;

/// Room for any one datagram of a dump: the kernel fills at most 32 KiB.
const RECEIVE_BUFFER: usize = 64 * 1024;

/// Netlink messages start at multiples of this.
const ALIGNMENT: usize = 4;

/// Whether a datagram ended the dump.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Dump {
    Continues,
    Done,
}

/// The inodes of the TCP sockets, IPv4 and IPv6, listening on `port`.
pub(super) fn listening_inodes(port: u16) -> io::Result<Vec<u64>> {
    let socket = Socket::new(NETLINK_SOCK_DIAG)?;
    let mut buffer = vec![0; RECEIVE_BUFFER];
    let mut inodes = Vec::new();
    for family in [AF_INET, AF_INET6] {
        socket.send_to(&request(family, port), &SocketAddr::new(0, 0), 0)?;
        while read_datagram(&socket, &mut buffer, port, &mut inodes)? == Dump::Continues {}
    }
    Ok(inodes)
}

/// A dump request for the sockets of `family` listening on `port`.
pub(super) fn request(family: u8, port: u16) -> Vec<u8> {
    let mut socket_id = if family == AF_INET6 {
        SocketId::new_v6()
    } else {
        SocketId::new_v4()
    };
    // The kernel leaves out listeners on other ports.
    socket_id.source_port = port;
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    let inet = InetRequest {
        family,
        protocol: IPPROTO_TCP,
        extensions: ExtensionFlags::empty(),
        states: StateFlags::LISTEN,
        socket_id,
    };
    let mut message = NetlinkMessage::new(header, SockDiagMessage::InetRequest(inet).into());
    message.finalize();
    let mut bytes = vec![0; message.buffer_len()];
    message.serialize(&mut bytes);
    bytes
}

fn read_datagram(
    socket: &Socket,
    buffer: &mut [u8],
    port: u16,
    inodes: &mut Vec<u64>,
) -> io::Result<Dump> {
    // With MSG_TRUNC the length is the datagram's even if it was cut.
    let length = socket.recv(&mut &mut buffer[..], MSG_TRUNC)?;
    let datagram = buffer
        .get(..length)
        .ok_or_else(|| invalid(format!("a reply of {length} bytes was cut")))?;
    parse_datagram(datagram, port, inodes)
}

/// Adds the inodes of the sockets on `port` that `datagram` lists.
pub(super) fn parse_datagram(
    mut datagram: &[u8],
    port: u16,
    inodes: &mut Vec<u64>,
) -> io::Result<Dump> {
    while !datagram.is_empty() {
        let message = NetlinkMessage::<SockDiagMessage>::deserialize(datagram)
            .map_err(|error| invalid(error.to_string()))?;
        match message.payload {
            NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(response)) => {
                if response.header.socket_id.source_port == port {
                    inodes.push(u64::from(response.header.inode));
                }
            }
            NetlinkPayload::Done(done) if done.code < 0 => {
                return Err(io::Error::from_raw_os_error(-done.code));
            }
            NetlinkPayload::Done(_) => return Ok(Dump::Done),
            NetlinkPayload::Error(error) if error.code.is_some() => return Err(error.to_io()),
            NetlinkPayload::Error(_) | NetlinkPayload::Noop => {}
            other => return Err(invalid(format!("unexpected reply {other:?}"))),
        }
        // The header's length is at least a header's and within the
        // datagram (`deserialize` checks both).
        let next = (message.header.length as usize).next_multiple_of(ALIGNMENT);
        datagram = datagram.get(next..).unwrap_or_default();
    }
    Ok(Dump::Continues)
}

fn invalid(reason: String) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("socket diagnostics: {reason}"),
    )
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroI32;

    use super::*;

    use netlink_packet_core::{
        DoneMessage, ErrorMessage, NLM_F_DUMP, NLM_F_REQUEST, NetlinkBuffer, NetlinkHeader,
        NetlinkMessage, NetlinkPayload, Parseable,
    };
    use netlink_packet_sock_diag::SockDiagMessage;
    use netlink_packet_sock_diag::constants::{
        AF_INET, AF_INET6, IPPROTO_TCP, SOCK_DIAG_BY_FAMILY, TCP_LISTEN,
    };
    use netlink_packet_sock_diag::inet::{
        InetRequest, InetResponse, InetResponseHeader, SocketId, StateFlags,
    };
    use nix::libc;

    /// One reply of a dump, as the kernel sends it, for a socket listening on
    /// `port` with `inode`.
    fn reply(port: u16, inode: u32) -> Vec<u8> {
        let mut socket_id = SocketId::new_v4();
        socket_id.source_port = port;
        let response = InetResponse {
            header: InetResponseHeader {
                family: AF_INET,
                state: TCP_LISTEN,
                timer: None,
                socket_id,
                recv_queue: 0,
                send_queue: 128,
                uid: 1000,
                inode,
            },
            nlas: Default::default(),
        };
        serialized(SockDiagMessage::InetResponse(Box::new(response)).into())
    }

    fn serialized(payload: NetlinkPayload<SockDiagMessage>) -> Vec<u8> {
        let mut message = NetlinkMessage::new(NetlinkHeader::default(), payload);
        message.finalize();
        let mut bytes = vec![0; message.buffer_len()];
        message.serialize(&mut bytes);
        bytes
    }

    fn done(code: i32) -> Vec<u8> {
        let mut done = DoneMessage::default();
        done.code = code;
        serialized(NetlinkPayload::Done(done))
    }

    #[test]
    fn replies_on_the_port_count_with_their_inodes_until_the_dump_is_done() {
        let datagram = [reply(0x5BA0, 41721), reply(0x5BA1, 41722)].concat();
        let mut inodes = Vec::new();
        let parsed = parse_datagram(&datagram, 0x5BA0, &mut inodes);
        assert_eq!(parsed.expect("parse"), Dump::Continues);
        assert_eq!(
            inodes,
            vec![41721],
            "a listener on another port does not count"
        );

        let last = [reply(0x5BA0, 41723), done(0)].concat();
        let parsed = parse_datagram(&last, 0x5BA0, &mut inodes);
        assert_eq!(parsed.expect("parse"), Dump::Done);
        assert_eq!(inodes, vec![41721, 41723]);
    }

    #[test]
    fn failed_or_garbled_replies_are_errors() {
        let mut error = ErrorMessage::default();
        error.code = NonZeroI32::new(-libc::EPERM);
        let refused = serialized(NetlinkPayload::Error(error));
        let parsed = parse_datagram(&refused, 1, &mut Vec::new());
        let error = parsed.expect_err("refused");
        assert_eq!(error.raw_os_error(), Some(libc::EPERM), "{error}");

        let parsed = parse_datagram(&done(-libc::EINTR), 1, &mut Vec::new());
        assert_eq!(
            parsed.expect_err("failed dump").raw_os_error(),
            Some(libc::EINTR)
        );

        let whole = reply(1, 2);
        for garbled in [&whole[..whole.len() - 1], &whole[..10], &[0xff; 40][..]] {
            let parsed = parse_datagram(garbled, 1, &mut Vec::new());
            let error = parsed.expect_err("garbled");
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
        }
    }

    #[test]
    fn a_request_asks_for_listeners_on_the_port_only() {
        let request = request(AF_INET6, 0x5BA0);
        let buffer = NetlinkBuffer::new_checked(&request).expect("a netlink message");
        assert_eq!(usize::try_from(buffer.length()), Ok(request.len()));
        assert_eq!(buffer.message_type(), SOCK_DIAG_BY_FAMILY);
        assert_eq!(buffer.flags(), NLM_F_REQUEST | NLM_F_DUMP);
        let inet = InetRequest::parse(buffer.payload()).expect("an inet request");
        assert_eq!(inet.family, AF_INET6);
        assert_eq!(inet.protocol, IPPROTO_TCP);
        assert_eq!(inet.states, StateFlags::LISTEN);
        assert_eq!(inet.socket_id.source_port, 0x5BA0);
    }
}
