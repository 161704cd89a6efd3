// SPDX-License-Identifier: GPL-2.0-or-later
// -P tcp: connect, send the wire string once, close (protocol.md §12.2). fwknopd sees it by pcap; something on
// the server (fwknopd's dummy TCP server) must accept the connection.
#include "client/tcp_connection.h"
#include "client/transport.h"

namespace sesame::client {

Result<SendReport> send_tcp(std::string_view payload, const SendRequest& request) {
  auto connection = TcpConnection::open(request.server, request.port, address_family_for(request), request.source_port);
  if (!connection) return fail(connection.error());
  if (auto sent = connection->send_all(payload); !sent) return fail(sent.error());
  return SendReport{payload.size(), connection->destination()};
}

}  // namespace sesame::client
