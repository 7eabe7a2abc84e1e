// Sensor alarms published over a local Mosquitto broker → grid events created, per second.
// Starts its own broker (mosquitto on a free port in 18830–18899) unless a port is given, a fresh
// SQLite store in a temp dir (or PostgreSQL with a conninfo), one grid cell, `sensors` water-level
// sensors with de-duplication off, then publishes `alarms` over-threshold alarms (QoS 1) and
// waits until every one has become a grid event.
// Usage: bench_iot_mqtt [alarms=2000] [sensors=50] [broker_port=0] [postgres_conninfo]
#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/field_cipher.h"
#include "events/events.h"
#include "grid/grid.h"
#include "iot/iot.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace yiwang;

bool port_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

int die(const char* what, const Error& e) {
  std::fprintf(stderr, "%s: %s %s\n", what, e.field.c_str(), e.message_en.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int alarms = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int sensors = argc > 2 ? std::atoi(argv[2]) : 50;
  int port = argc > 3 ? std::atoi(argv[3]) : 0;
  const std::string pg = argc > 4 ? argv[4] : "";

  auto dir =
      std::filesystem::temp_directory_path() / ("yiwang-iot-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  pid_t broker = -1;
  if (port == 0) {
    for (int p = 18830; p <= 18899 && port == 0; ++p) {
      if (port_free(p)) port = p;
    }
    std::ofstream(dir / "mosquitto.conf")
        << "listener " << port
        << " 127.0.0.1\nallow_anonymous true\npersistence false\n"
        // The default queue of 1000 messages per client drops a burst the store cannot take
        // as fast as it arrives; a deployment sizes this too.
        << "max_queued_messages 0\n"
        << (::geteuid() == 0 ? "user root\n" : "");
    std::string conf = (dir / "mosquitto.conf").string(), log = (dir / "mosquitto.log").string();
    broker = ::fork();
    if (broker == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) ::dup2(fd, 2);
      ::execl("/usr/sbin/mosquitto", "mosquitto", "-c", conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 500 && !port_open(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::unique_ptr<store::Store> db;
  if (pg.empty()) {
    store::SqliteOptions so;
    so.path = (dir / "bench.db").string();
    db = store::open_sqlite(so);
  } else {
    store::PostgresOptions po;
    po.conninfo = pg;
    db = store::open_postgres(po);
  }
  std::vector<store::Migration> all;
  for (auto list :
       {events::migrations(), identity::migrations(), grid::migrations(), iot::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  if (auto st = store::migrate(*db, all); !st) return die("migrate", st.error());

  core::SystemClock clock;
  core::SystemRandom random;
  identity::Options io;
  io.pwhash_opslimit = 1;
  io.pwhash_memlimit = 8192;
  db->use_cipher(core::FieldCipher::ephemeral());
  identity::Service ids(*db, clock, random, io);
  for (const char* d : {"grid", "szgy"}) {
    if (auto c = ids.create_department({d, d, "", "", ""}, nullptr); !c)
      return die("dept", c.error());
  }
  identity::NewUser u;
  u.username = "admin";
  u.password = "bench-lantern-42";
  u.kind = identity::Kind::official;
  u.display_name = "admin";
  u.dept_id = "grid";
  u.roles = {identity::Role::admin};
  auto admin = ids.create_user(u, nullptr);
  if (!admin) return die("admin", admin.error());
  grid::Service grid(*db, clock, random, ids);
  const std::string cells =
      R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":)"
      R"("329900001001001","name":"网格","street_name":"东山街道","community_name":"幸福社区",)"
      R"("supervisors":[]},"geometry":{"type":"Polygon","coordinates":[[[118.0,31.0],[118.01,31.0],)"
      R"([118.01,31.01],[118.0,31.01],[118.0,31.0]]]}}]})";
  if (auto n = grid.import_cells(cells, true, *admin); !n) return die("cells", n.error());

  iot::Options o;
  o.broker_port = port;
  o.client_id = "yiwang-iot-bench";
  o.sweep_interval_ms = 0;
  iot::Service iot(*db, clock, random, ids, grid, o);
  iot::Rule rule = iot::default_rules()[1];
  rule.dedup_window_min = 0;  // every alarm is an event
  rule.flap_changes = 1000;
  if (auto r = iot.save_rule(rule, *admin); !r) return die("rule", r.error());
  for (int i = 0; i < sensors; ++i) {
    iot::Sensor s;
    s.id = "bench-" + std::to_string(i);
    s.kind = iot::Kind::water_level;
    s.name = "积水 " + std::to_string(i);
    s.location = {118.0005 + 0.009 * (i % 10) / 10, 31.0005 + 0.009 * (i / 10 % 10) / 10};
    s.dept_id = "szgy";
    if (auto c = iot.create_sensor(s, *admin); !c) return die("sensor", c.error());
  }
  if (auto st = iot.start(); !st) return die("start", st.error());
  for (int i = 0; i < 1000 && !iot.connected(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!iot.connected()) {
    std::fprintf(stderr, "subscriber did not connect to 127.0.0.1:%d\n", port);
    return 1;
  }

  mosquitto_lib_init();
  mosquitto* pub = mosquitto_new(nullptr, true, nullptr);
  if (mosquitto_connect(pub, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS ||
      mosquitto_loop_start(pub) != MOSQ_ERR_SUCCESS) {
    std::fprintf(stderr, "publisher cannot connect\n");
    return 1;
  }
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < alarms; ++i) {
    std::string topic = "yiwang/sensors/bench-" + std::to_string(i % sensors) + "/alarm";
    std::string payload = R"({"msg_id":"b)" + std::to_string(i) + R"(","at":)" +
                          std::to_string(clock.now_ms()) + R"(,"value":0.5,"unit":"m"})";
    mosquitto_publish(pub, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(),
                      1, false);
  }
  const auto published = std::chrono::steady_clock::now();
  const auto deadline = t0 + std::chrono::minutes(10);
  while (iot.counters().created + iot.counters().failed < alarms &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto t1 = std::chrono::steady_clock::now();
  auto c = iot.counters();
  double secs = std::chrono::duration<double>(t1 - t0).count();
  double pub_secs = std::chrono::duration<double>(published - t0).count();
  std::printf(
      "backend=%s alarms=%d sensors=%d published_in=%.3fs events_created=%lld failed=%lld "
      "elapsed=%.3fs rate=%.1f events/s\n",
      pg.empty() ? "sqlite" : "postgres", alarms, sensors, pub_secs,
      static_cast<long long>(c.created), static_cast<long long>(c.failed), secs, c.created / secs);
  mosquitto_disconnect(pub);
  mosquitto_loop_stop(pub, false);
  mosquitto_destroy(pub);
  iot.stop();
  if (broker > 0) {
    ::kill(broker, SIGTERM);
    ::waitpid(broker, nullptr, 0);
  }
  std::filesystem::remove_all(dir);
  return c.created == alarms ? 0 : 1;
}
