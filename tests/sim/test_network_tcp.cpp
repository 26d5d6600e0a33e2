#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/network.hpp"

using namespace sim;

namespace {

// Echoes every byte back; records what happened.
struct EchoApp : TcpApp {
  std::string got;
  int opens = 0, closes = 0;
  bool reset = false;
  void on_open(TcpConn&) override { ++opens; }
  void on_data(TcpConn& c, std::string_view b) override {
    got += b;
    c.send(b);
  }
  void on_close(TcpConn&, bool r) override {
    ++closes;
    reset = r;
  }
};

// Sends `hello` when open, closes once `expect` bytes came back.
struct ClientApp : TcpApp {
  std::string hello, got, refused;
  std::size_t expect = 0;
  int opens = 0, closes = 0;
  bool reset = false;
  bool in_send = false, reentered = false;
  Time open_at = -1;
  EventQueue* q = nullptr;
  void on_open(TcpConn& c) override {
    ++opens;
    if (q) open_at = q->now();
    in_send = true;
    if (!hello.empty()) c.send(hello);
    in_send = false;
  }
  void on_data(TcpConn& c, std::string_view b) override {
    if (in_send) reentered = true;
    got += b;
    if (got.size() >= expect) c.close();
  }
  void on_close(TcpConn&, bool r) override {
    ++closes;
    reset = r;
  }
  void on_refused(const std::string& why) override { refused = why; }
};

struct Fixture {
  EventQueue q;
  Trace tr;
  Rng rng{7};
  Network net{q, tr, rng};
  std::shared_ptr<EchoApp> server = std::make_shared<EchoApp>();
  int accepted = 0;
  Fixture() {
    net.add_host({"client", "10.0.0.1", "device"});
    net.add_host({"server", "10.0.0.2", "mx"});
    net.add_link("client", "server", 10 * kMillisecond);
    net.listen("server", 7, Proto::Tcp, [this](TcpConn&) {
      ++accepted;
      return server;
    });
  }
  std::vector<SegmentEv> segments() const {
    std::vector<SegmentEv> out;
    for (const auto& e : tr.events())
      if (auto* s = std::get_if<SegmentEv>(&e.p)) out.push_back(*s);
    return out;
  }
  std::vector<std::string> conn_ops() const {
    std::vector<std::string> out;
    for (const auto& e : tr.events())
      if (auto* c = std::get_if<ConnEv>(&e.p)) out.push_back(c->op);
    return out;
  }
  std::vector<NoteEv> notes(const std::string& kind) const {
    std::vector<NoteEv> out;
    for (const auto& e : tr.events())
      if (auto* n = std::get_if<NoteEv>(&e.p); n && n->kind == kind) out.push_back(*n);
    return out;
  }
};

}  // namespace

TEST_CASE("three-way handshake, data echo and FIN close on both sides") {
  Fixture f;
  auto client = std::make_shared<ClientApp>();
  client->hello = "HELO\r\n";
  client->expect = 6;
  client->q = &f.q;
  std::weak_ptr<ClientApp> weak_client = client;
  const auto id = f.net.connect("client", "10.0.0.2", 7, Proto::Smtp, client);
  CHECK(id == 1);
  client.reset();
  f.q.run();

  auto segs = f.segments();
  REQUIRE(segs.size() == 11);
  // SYN / SYN-ACK / ACK (RFC 9293 §3.5).
  const SegmentEv &syn = segs[0], &synack = segs[1], &ack = segs[2];
  CHECK(syn.flags == tcpflag::SYN);
  CHECK(syn.from == "client");
  CHECK(syn.to == "server");
  CHECK(syn.sport == 49152);
  CHECK(syn.dport == 7);
  CHECK(syn.src_ip == "10.0.0.1");
  CHECK(syn.dst_ip == "10.0.0.2");
  CHECK(syn.conn == 1);
  CHECK(syn.link == "client<->server");
  CHECK(syn.arrive == 10 * kMillisecond);
  CHECK(synack.flags == (tcpflag::SYN | tcpflag::ACK));
  CHECK(synack.ack == syn.seq + 1);
  CHECK(synack.from == "server");
  CHECK(synack.sport == 7);
  CHECK(synack.dport == 49152);
  CHECK(synack.arrive == 20 * kMillisecond);
  CHECK(ack.flags == tcpflag::ACK);
  CHECK(ack.seq == syn.seq + 1);
  CHECK(ack.ack == synack.seq + 1);
  CHECK(ack.payload.empty());
  const std::uint32_t cseq = syn.seq + 1, sseq = synack.seq + 1;

  // Client data, server's pure ACK, server's echo, client's pure ACK.
  CHECK(segs[3].flags == (tcpflag::PSH | tcpflag::ACK));
  CHECK(segs[3].payload == "HELO\r\n");
  CHECK(segs[3].seq == cseq);
  CHECK(segs[4].flags == tcpflag::ACK);
  CHECK(segs[4].from == "server");
  CHECK(segs[4].ack == cseq + 6);
  CHECK(segs[4].payload.empty());
  CHECK(segs[5].payload == "HELO\r\n");
  CHECK(segs[5].seq == sseq);
  CHECK(segs[5].ack == cseq + 6);
  CHECK(segs[6].flags == tcpflag::ACK);
  CHECK(segs[6].ack == sseq + 6);
  // Client closes: FIN; server ACKs it, then sends its own FIN; client ACKs.
  CHECK(segs[7].flags == (tcpflag::FIN | tcpflag::ACK));
  CHECK(segs[7].from == "client");
  CHECK(segs[7].seq == cseq + 6);
  CHECK(segs[8].flags == tcpflag::ACK);
  CHECK(segs[8].from == "server");
  CHECK(segs[8].ack == cseq + 7);  // FIN counts one
  CHECK(segs[9].flags == (tcpflag::FIN | tcpflag::ACK));
  CHECK(segs[9].from == "server");
  CHECK(segs[9].seq == sseq + 6);
  CHECK(segs[9].ack == cseq + 7);
  CHECK(segs[10].flags == tcpflag::ACK);
  CHECK(segs[10].from == "client");
  CHECK(segs[10].ack == sseq + 7);

  CHECK(f.server->got == "HELO\r\n");
  CHECK(f.server->opens == 1);
  CHECK(f.server->closes == 1);
  CHECK_FALSE(f.server->reset);
  CHECK(f.accepted == 1);
  CHECK(f.conn_ops() == std::vector<std::string>{"open", "established", "close"});
  // The client app was kept alive by the network until the close, then released.
  CHECK(weak_client.expired());
}

TEST_CASE("handshake timing and on_open on both sides") {
  Fixture f;
  auto client = std::make_shared<ClientApp>();
  client->q = &f.q;
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, client);
  f.q.run_until(15 * kMillisecond);
  CHECK(client->opens == 0);
  f.q.run_until(20 * kMillisecond);
  CHECK(client->opens == 1);
  CHECK(client->open_at == 20 * kMillisecond);
  CHECK(f.server->opens == 0);  // the third segment is still on the wire
  f.q.run_until(30 * kMillisecond);
  CHECK(f.server->opens == 1);
}

TEST_CASE("data larger than the MSS is split with advancing sequence numbers") {
  Fixture f;
  f.net.set_mss(100);
  auto client = std::make_shared<ClientApp>();
  client->hello = std::string(250, 'x');
  client->hello[0] = 'a';
  client->hello[249] = 'z';
  client->expect = 250;
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, client);
  f.q.run();
  auto segs = f.segments();
  const std::uint32_t base = segs[0].seq + 1;
  std::vector<SegmentEv> data, acks;
  for (const auto& s : segs) {
    if (s.from == "client" && !s.payload.empty()) data.push_back(s);
    if (s.from == "server" && s.flags == tcpflag::ACK) acks.push_back(s);
  }
  REQUIRE(data.size() == 3);
  CHECK(data[0].payload.size() == 100);
  CHECK(data[1].payload.size() == 100);
  CHECK(data[2].payload.size() == 50);
  CHECK(data[0].seq == base);
  CHECK(data[1].seq == base + 100);
  CHECK(data[2].seq == base + 200);
  // One pure ACK per data segment (plus the one for the client's FIN).
  REQUIRE(acks.size() == 4);
  CHECK(acks[0].ack == base + 100);
  CHECK(acks[1].ack == base + 200);
  CHECK(acks[2].ack == base + 250);
  CHECK(acks[3].ack == base + 251);
  CHECK(f.server->got == client->hello);
  CHECK(client->got == client->hello);
  CHECK(client->closes == 1);
}

TEST_CASE("apps are never called re-entrantly from send()") {
  Fixture f;
  // Zero latency: everything happens at the same instant, still through the queue.
  f.net.add_host({"near", "10.0.0.3", "device"});
  f.net.add_link("near", "server", 0);
  auto client = std::make_shared<ClientApp>();
  client->hello = "ping";
  client->expect = 4;
  f.net.connect("near", "10.0.0.2", 7, Proto::Tcp, client);
  f.q.run();
  CHECK(client->got == "ping");
  CHECK_FALSE(client->reentered);
  CHECK(f.q.now() == 0);
}

TEST_CASE("the server may speak first and close first") {
  Fixture f;
  struct Greeter : TcpApp {
    void on_open(TcpConn& c) override {
      c.send("554 go away\r\n");
      c.close();
    }
    void on_data(TcpConn&, std::string_view) override {}
  };
  f.net.listen("server", 25, Proto::Smtp, [](TcpConn&) { return std::make_shared<Greeter>(); });
  auto client = std::make_shared<ClientApp>();
  client->expect = 1000;  // never closes by itself
  f.net.connect("client", "10.0.0.2", 25, Proto::Smtp, client);
  f.q.run();
  CHECK(client->got == "554 go away\r\n");
  CHECK(client->closes == 1);
  CHECK_FALSE(client->reset);
  auto segs = f.segments();
  // Client sent its own FIN automatically after the server's.
  int fins = 0;
  for (const auto& s : segs)
    if (s.flags & tcpflag::FIN) ++fins;
  CHECK(fins == 2);
  CHECK(segs.back().flags == tcpflag::ACK);
  CHECK(segs.back().from == "server");
  CHECK(f.conn_ops().back() == "close");
}

TEST_CASE("a SYN to a port nobody listens on is refused with RST") {
  Fixture f;
  auto client = std::make_shared<ClientApp>();
  f.net.connect("client", "10.0.0.2", 9999, Proto::Tcp, client);
  f.q.run();
  CHECK(client->refused == "connection refused");
  CHECK(client->opens == 0);
  auto segs = f.segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[1].flags == (tcpflag::RST | tcpflag::ACK));
  CHECK(segs[1].ack == segs[0].seq + 1);
  CHECK(f.conn_ops() == std::vector<std::string>{"open", "refused"});

  // unlisten: later connections are refused too.
  f.net.unlisten("server", 7);
  auto c2 = std::make_shared<ClientApp>();
  CHECK(f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, c2) == 2);
  f.q.run();
  CHECK(c2->refused == "connection refused");
  CHECK(f.accepted == 0);
}

TEST_CASE("abort sends RST and the peer sees a reset") {
  Fixture f;
  struct Aborter : TcpApp {
    void on_open(TcpConn& c) override { c.abort(); }
    void on_data(TcpConn&, std::string_view) override {}
  };
  auto app = std::make_shared<Aborter>();
  std::weak_ptr<Aborter> weak = app;
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, app);
  app.reset();
  f.q.run();
  CHECK(f.server->closes == 1);
  CHECK(f.server->reset);
  auto segs = f.segments();
  CHECK((segs.back().flags & tcpflag::RST) != 0);
  CHECK(segs.back().from == "client");
  CHECK(f.conn_ops() == std::vector<std::string>{"open", "established", "reset"});
  CHECK(weak.expired());
}

TEST_CASE("a down link drops segments and the connect times out") {
  Fixture f;
  f.net.set_link_up("client<->server", false);
  CHECK_FALSE(f.net.links()[0].up);
  auto client = std::make_shared<ClientApp>();
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, client);
  f.q.run();
  CHECK(client->refused == "timed out");
  CHECK(f.q.now() == 30 * kSecond);
  CHECK(f.segments().empty());
  auto drops = f.notes("drop");
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].host == "client");
  CHECK(drops[0].text.find("down") != std::string::npos);
  CHECK(f.notes("link").size() == 1);
  CHECK(f.conn_ops() == std::vector<std::string>{"open", "refused"});

  // Shorter timeout, link back up: connects.
  f.net.set_connect_timeout(5 * kSecond);
  f.net.set_link_up("client<->server", true);
  auto c2 = std::make_shared<ClientApp>();
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, c2);
  f.q.run();
  CHECK(c2->opens == 1);
  CHECK(c2->refused.empty());
}

TEST_CASE("no route to host") {
  Fixture f;
  f.net.add_host({"island", "10.9.9.9", "device"});
  auto a = std::make_shared<ClientApp>(), b = std::make_shared<ClientApp>();
  f.net.connect("island", "10.0.0.2", 7, Proto::Tcp, a);
  f.net.connect("client", "192.0.2.1", 7, Proto::Tcp, b);  // nobody has this address
  CHECK(a->refused.empty());  // reported from the queue, not inside connect()
  f.q.run();
  CHECK(a->refused == "no route to host");
  CHECK(b->refused == "no route to host");
  CHECK(f.segments().empty());
}

// a -(5 ms)- r -(7 ms, "backbone")- b: a route across a router.
struct TwoHops {
  EventQueue q;
  Trace tr;
  Rng rng{1};
  Network net{q, tr, rng};
  TwoHops() {
    net.add_host({"a", "10.0.1.1", "device"});
    net.add_host({"r", "10.0.0.254", "router"});
    net.add_host({"b", "10.0.2.1", "mx"});
    net.add_link("a", "r", 5 * kMillisecond);
    net.add_link("r", "b", 7 * kMillisecond, "backbone");
  }
};

TEST_CASE("multi-hop route: one SegmentEv per hop with increasing times") {
  TwoHops h;
  EventQueue& q = h.q;
  Trace& tr = h.tr;
  Network& net = h.net;
  auto server = std::make_shared<EchoApp>();
  net.listen("b", 25, Proto::Smtp, [&](TcpConn&) { return server; });
  auto client = std::make_shared<ClientApp>();
  client->hello = "x";
  client->expect = 1;
  net.connect("a", "10.0.2.1", 25, Proto::Smtp, client);
  q.run();
  CHECK(net.route("a", "10.0.2.1") == std::vector<std::string>{"a<->r", "backbone"});
  std::vector<std::pair<Time, SegmentEv>> segs;
  for (const auto& e : tr.events())
    if (auto* s = std::get_if<SegmentEv>(&e.p)) segs.emplace_back(e.t, *s);
  REQUIRE(segs.size() >= 4);
  CHECK(segs[0].first == 0);
  CHECK(segs[0].second.link == "a<->r");
  CHECK(segs[0].second.from == "a");
  CHECK(segs[0].second.to == "r");
  CHECK(segs[0].second.arrive == 5 * kMillisecond);
  CHECK(segs[1].first == 5 * kMillisecond);
  CHECK(segs[1].second.link == "backbone");
  CHECK(segs[1].second.from == "r");
  CHECK(segs[1].second.to == "b");
  CHECK(segs[1].second.arrive == 12 * kMillisecond);
  CHECK(segs[1].second.seq == segs[0].second.seq);
  CHECK(segs[1].second.src_ip == "10.0.1.1");  // end-to-end addresses on every hop
  CHECK(segs[1].second.dst_ip == "10.0.2.1");
  // SYN-ACK comes back the other way.
  CHECK(segs[2].second.link == "backbone");
  CHECK(segs[2].second.from == "b");
  CHECK(segs[3].second.link == "a<->r");
  CHECK(segs[3].first == 19 * kMillisecond);
  for (std::size_t i = 1; i < segs.size(); ++i) CHECK(segs[i].first >= segs[i - 1].first);
  CHECK(client->got == "x");
  CHECK(server->closes == 1);
}

TEST_CASE("routing: fewest hops wins over latency; ties go to the earlier link") {
  EventQueue q;
  Trace tr;
  Rng rng(1);
  Network net(q, tr, rng);
  for (auto [n, ip] : {std::pair{"a", "10.0.0.1"},
                       {"b", "10.0.0.2"},
                       {"c", "10.0.0.3"},
                       {"d", "10.0.0.4"},
                       {"e", "10.0.0.5"}}) {
    net.add_host({n, ip, "router"});
  }
  net.add_link("a", "c", 1, "ac");
  net.add_link("a", "b", 1, "ab");
  net.add_link("b", "d", 1, "bd");
  net.add_link("c", "d", 1, "cd");
  CHECK(net.route("a", "10.0.0.4") == std::vector<std::string>{"ac", "cd"});
  net.add_link("a", "d", 1000, "slow");
  CHECK(net.route("a", "10.0.0.4") == std::vector<std::string>{"slow"});
  CHECK(net.route("a", "10.0.0.5").empty());
  CHECK(net.route("a", "10.0.0.1").empty());
  CHECK_THROWS_AS(net.add_host({"a", "10.0.0.9", ""}), std::invalid_argument);
  CHECK_THROWS_AS(net.add_host({"z", "10.0.0.1", ""}), std::invalid_argument);
  CHECK_THROWS_AS(net.add_link("a", "nowhere", 1), std::invalid_argument);
  CHECK_THROWS_AS(net.add_link("a", "b", 1, "ab"), std::invalid_argument);
  CHECK_THROWS_AS(net.set_link_up("nolink", false), std::invalid_argument);
  CHECK(net.host_by_ip("10.0.0.3")->name == "c");
  CHECK(net.host("e")->ip == "10.0.0.5");
  CHECK(net.host("zz") == nullptr);
  CHECK(net.links().size() == 5);
}

TEST_CASE("UDP datagrams") {
  Fixture f;
  std::string got, from_ip;
  std::uint16_t from_port = 0;
  f.net.bind_udp("server", 53, [&](const std::string& ip, std::uint16_t port, std::string_view p) {
    got = p;
    from_ip = ip;
    from_port = port;
  });
  f.net.send_udp("client", 40000, "10.0.0.2", 53, "query");
  f.net.send_udp("client", 40000, "10.0.0.2", 54, "nobody");
  CHECK(got.empty());
  f.q.run();
  CHECK(got == "query");
  CHECK(from_ip == "10.0.0.1");
  CHECK(from_port == 40000);
  auto segs = f.segments();
  REQUIRE(segs.size() == 2);
  CHECK(segs[0].udp);
  CHECK(segs[0].conn == 0);
  CHECK(segs[0].payload == "query");
  CHECK(segs[0].dport == 53);
  CHECK(f.notes("drop").size() == 1);
  f.net.unbind_udp("server", 53);
  f.net.send_udp("client", 40000, "10.0.0.2", 53, "again");
  f.q.run();
  CHECK(got == "query");
  CHECK(f.notes("drop").size() == 2);
}

TEST_CASE("ephemeral ports and connection ids count up deterministically") {
  Fixture f;
  CHECK(f.net.ephemeral_port("client") == 49152);
  CHECK(f.net.ephemeral_port("client") == 49153);
  CHECK(f.net.ephemeral_port("server") == 49152);
  auto c1 = std::make_shared<ClientApp>(), c2 = std::make_shared<ClientApp>();
  CHECK(f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, c1) == 1);
  CHECK(f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, c2) == 2);
  f.q.run_until(1 * kSecond);
  auto segs = f.segments();
  CHECK(segs[0].sport == 49154);
  CHECK(segs[1].sport == 49155);
  CHECK(f.accepted == 2);
}

TEST_CASE("two identical runs give identical traces; another seed changes sequence numbers") {
  auto run = [](std::uint64_t seed) {
    Fixture f;
    f.rng = Rng(seed);
    auto client = std::make_shared<ClientApp>();
    client->hello = "hello world";
    client->expect = 11;
    f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, client);
    f.q.run();
    std::vector<std::uint32_t> seqs;
    for (const auto& s : f.segments()) seqs.push_back(s.seq);
    return seqs;
  };
  CHECK(run(5) == run(5));
  CHECK(run(5) != run(6));
}

TEST_CASE("simultaneous close: both FINs cross, both apps see on_close once") {
  Fixture f;
  struct Closer : TcpApp {
    int closes = 0;
    void on_open(TcpConn& c) override { c.close(); }
    void on_data(TcpConn&, std::string_view) override {}
    void on_close(TcpConn&, bool) override { ++closes; }
  };
  auto srv = std::make_shared<Closer>();
  f.net.listen("server", 9, Proto::Tcp, [&](TcpConn&) { return srv; });
  // The client closes in on_open (t=20ms), the server in its on_open (t=30ms): the FINs cross.
  auto cli = std::make_shared<Closer>();
  f.net.connect("client", "10.0.0.2", 9, Proto::Tcp, cli);
  f.q.run();
  CHECK(cli->closes == 1);
  CHECK(srv->closes == 1);
  int fins = 0;
  for (const auto& s : f.segments())
    if (s.flags & tcpflag::FIN) ++fins;
  CHECK(fins == 2);
  CHECK(f.conn_ops() == std::vector<std::string>{"open", "established", "close"});
}

TEST_CASE("data queued by the accept callback is sent once established") {
  Fixture f;
  struct Banner : TcpApp {
    void on_data(TcpConn&, std::string_view) override {}
  };
  f.net.listen("server", 110, Proto::Pop3, [](TcpConn& c) {
    c.send("+OK POP3 ready\r\n");
    return std::make_shared<Banner>();
  });
  auto cli = std::make_shared<ClientApp>();
  cli->expect = 16;
  f.net.connect("client", "10.0.0.2", 110, Proto::Pop3, cli);
  f.q.run();
  CHECK(cli->got == "+OK POP3 ready\r\n");
  CHECK(cli->closes == 1);
}

TEST_CASE("a secret registered while a segment crosses a router is masked on the later hop") {
  // The sender masks (or finds clean) its bytes once; a hop records them unscanned only
  // while no secret came since (Trace::append_masked).
  TwoHops h;
  EventQueue& q = h.q;
  Trace& tr = h.tr;
  Network& net = h.net;
  auto server = std::make_shared<EchoApp>();
  net.listen("b", 110, Proto::Pop3, [&](TcpConn&) { return server; });
  auto client = std::make_shared<ClientApp>();
  client->hello = "PASS hunter2\r\n";
  client->expect = client->hello.size();
  net.connect("a", "10.0.2.1", 110, Proto::Pop3, client);
  // Established at 24 ms (SYN 12 ms out, SYN-ACK 12 ms back): the data leaves a at 24 ms and
  // is recorded again on the backbone at 29 ms; the secret arrives in between.
  q.at(26 * kMillisecond, [&] { tr.add_secret("hunter2"); });
  q.run();
  CHECK(server->got == "PASS hunter2\r\n");
  CHECK(client->got == "PASS hunter2\r\n");
  std::vector<std::pair<Time, SegmentEv>> data;
  for (const auto& e : tr.events())
    if (auto* s = std::get_if<SegmentEv>(&e.p); s && !s->payload.empty())
      data.emplace_back(e.t, *s);
  REQUIRE(data.size() == 4);  // out on two links, echoed back on two
  CHECK(data[0].first == 24 * kMillisecond);
  CHECK(data[0].second.payload == "PASS hunter2\r\n");  // recorded before the secret was known
  CHECK(data[1].first == 29 * kMillisecond);
  CHECK(data[1].second.link == "backbone");
  CHECK(data[1].second.payload == "PASS *******\r\n");
  CHECK(data[2].second.payload == "PASS *******\r\n");
  CHECK(data[3].second.payload == "PASS *******\r\n");
}

TEST_CASE("a secret split across two segments is still masked in the trace") {
  Fixture f;
  f.net.set_mss(10);
  f.tr.add_secret("hunter2hunter2");
  auto client = std::make_shared<ClientApp>();
  client->hello = "PASS hunter2hunter2\r\n";  // the secret spans bytes 5..18: two segments
  client->expect = client->hello.size();
  f.net.connect("client", "10.0.0.2", 7, Proto::Tcp, client);
  f.q.run();
  CHECK(f.server->got == "PASS hunter2hunter2\r\n");  // real bytes are delivered
  std::string shown;
  for (const auto& s : f.segments())
    if (s.from == "client" && !s.payload.empty()) shown += s.payload;
  CHECK(shown == "PASS **************\r\n");
  // (Masking works per send() call: the echo server re-sends the password in fragments
  // from separate calls, which is outside what this protects.)
  for (const auto& s : f.segments())
    if (s.from == "client") CHECK(s.payload.find("hunter") == std::string::npos);
}
