// End to end over a real Mosquitto broker on both backends: the subscriber takes alarms and
// heartbeats published with libmosquitto; an alarm over threshold makes exactly one grid event,
// its replay none, a second alarm within the window is attached, flapping is suppressed, a
// reading below the threshold makes nothing, heartbeats move last_seen, a silent sensor goes
// offline (manual clock, explicit sweep), malformed messages are counted without harm, the
// subscriber reconnects after the broker restarts, and the sensor's event travels the loop to 结案.
#include <arpa/inet.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

#include "iot/fixture.h"

namespace yiwang::iot {
namespace {

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

// Polls until `f` holds; the deadline only bounds a hang, nothing is asserted about time.
bool wait_until(const std::function<bool()>& f, int timeout_ms = 20000) {
  for (int waited = 0; waited < timeout_ms; waited += 10) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

// A throwaway broker: `mosquitto -c <dir>/mosquitto.conf` listening on 127.0.0.1:<port>.
class Broker {
 public:
  ~Broker() { stop(); }

  bool start(int port = 0) {
    if (port == 0) {
      for (int p = 18830; p <= 18899 && port == 0; ++p) {
        if (port_free(p)) port = p;
      }
      if (port == 0) return false;
    }
    port_ = port;
    if (dir_.empty()) dir_ = yiwang::testing::temp_dir();
    std::string conf = dir_ + "/mosquitto.conf";
    {
      std::ofstream f(conf);
      f << "listener " << port << " 127.0.0.1\nallow_anonymous true\npersistence false\n";
      f << "max_queued_messages 0\n";
      // As root Mosquitto would switch to its own user; stay, so the temp dir stays readable.
      if (::geteuid() == 0) f << "user root\n";
    }
    std::string log = dir_ + "/mosquitto.log";
    pid_ = ::fork();
    if (pid_ == 0) {
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (fd >= 0) ::dup2(fd, 2);
      ::execl("/usr/sbin/mosquitto", "mosquitto", "-c", conf.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return pid_ > 0 && wait_until([&] { return port_open(port_); }, 10000);
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  int port() const { return port_; }

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

class Publisher {
 public:
  explicit Publisher(int port) {
    mosquitto_lib_init();
    m_ = mosquitto_new(nullptr, true, nullptr);
    connected_ = m_ && mosquitto_connect(m_, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS &&
                 mosquitto_loop_start(m_) == MOSQ_ERR_SUCCESS;
  }
  ~Publisher() {
    if (!m_) return;
    mosquitto_disconnect(m_);
    mosquitto_loop_stop(m_, false);
    mosquitto_destroy(m_);
  }
  bool ok() const { return connected_; }
  bool publish(const std::string& topic, const std::string& payload) {
    return mosquitto_publish(m_, nullptr, topic.c_str(), static_cast<int>(payload.size()),
                             payload.data(), 1, false) == MOSQ_ERR_SUCCESS;
  }

 private:
  mosquitto* m_ = nullptr;
  bool connected_ = false;
};

class IotMqtt : public test::Fixture {
 protected:
  void SetUp() override {
    ASSERT_TRUE(broker_.start()) << "mosquitto did not start";
    Options o;
    o.broker_port = broker_.port();
    o.client_id = "yiwang-iot-test-" + GetParam();
    o.reconnect_min_ms = 50;
    o.reconnect_max_ms = 400;
    ASSERT_NO_FATAL_FAILURE(set_up(o));
  }
  void TearDown() override {
    if (iot_) iot_->stop();
    broker_.stop();
  }

  // Publishes and waits until the subscriber has taken the message.
  void send(Publisher& pub, const std::string& topic, const std::string& payload) {
    auto before = iot_->counters().received;
    ASSERT_TRUE(pub.publish(topic, payload));
    ASSERT_TRUE(wait_until([&] { return iot_->counters().received > before; }))
        << "message not received: " << topic;
    // The counter moves when intake begins; wait for its effect to be counted too.
    ASSERT_TRUE(wait_until([&] {
      auto c = iot_->counters();
      return c.malformed + c.unknown_sensor + c.replayed + c.heartbeats + c.below_threshold +
                 c.created + c.deduplicated + c.suppressed + c.failed >=
             c.received;
    }));
  }

  Broker broker_;
};

TEST_P(IotMqtt, AlarmsOverARealBroker) {
  add("wl-1", Kind::water_level);
  add("wl-2", Kind::water_level);
  add("wl-flap", Kind::water_level);
  ASSERT_TRUE(iot_->start());
  EXPECT_EQ(iot_->start().error().code, ErrorCode::conflict);
  ASSERT_TRUE(wait_until([&] { return iot_->connected(); })) << "subscriber did not connect";
  Publisher pub(broker_.port());
  ASSERT_TRUE(pub.ok());

  // Over the threshold: exactly one grid event.
  std::string m1 = payload("m1", "0.42", R"(,"unit":"m")");
  send(pub, topic("wl-1"), m1);
  EXPECT_EQ(grid_events(), 1);
  auto alarms = iot_->list_alarms(test::of_sensor("wl-1"), admin_);
  ASSERT_EQ(alarms->total, 1);
  const Alarm first = alarms->alarms[0];
  EXPECT_EQ(first.outcome, Outcome::created);
  auto ev = grid_->get(first.event_id, admin_);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->event.source, grid::Source::sensor);
  EXPECT_EQ(ev->event.external_ref, first.id);

  // The same message replayed: nothing.
  send(pub, topic("wl-1"), m1);
  EXPECT_EQ(iot_->counters().replayed, 1);
  EXPECT_EQ(grid_events(), 1);

  // A second alarm within the window: attached to the open event.
  clock_.advance(3 * 60000);
  send(pub, topic("wl-1"), payload("m2", "0.55"));
  EXPECT_EQ(grid_events(), 1);
  alarms = iot_->list_alarms(test::of_sensor("wl-1"), admin_);
  ASSERT_EQ(alarms->total, 2);
  EXPECT_EQ(alarms->alarms[0].outcome, Outcome::deduplicated);
  EXPECT_EQ(alarms->alarms[0].event_id, first.event_id);
  EXPECT_EQ(alarms->alarms[1].duplicates, 1);

  // Below the threshold: nothing.
  send(pub, topic("wl-2"), payload("b1", "0.12"));
  EXPECT_EQ(iot_->counters().below_threshold, 1);
  EXPECT_EQ(iot_->list_alarms(test::of_sensor("wl-2"), admin_)->total, 0);
  EXPECT_EQ(grid_events(), 1);

  // Flapping: the fifth change within 10 minutes is suppressed.
  const char* flap[] = {"0.5", "0.1", "0.5", "0.1", "0.5"};
  for (int i = 0; i < 5; ++i)
    send(pub, topic("wl-flap"), payload("f" + std::to_string(i), flap[i]));
  EXPECT_TRUE(iot_->get_sensor("wl-flap", admin_)->flapping);
  EXPECT_EQ(iot_->counters().suppressed, 1);
  EXPECT_EQ(events_of("iot.flapping"), 1);
  EXPECT_EQ(grid_events(), 2);  // only the first of the flapping sensor's alarms

  // Malformed messages are counted and the subscriber carries on.
  send(pub, topic("wl-1"), "{not json");
  send(pub, "yiwang/sensors/ghost/alarm", payload("g", "1"));
  EXPECT_EQ(iot_->counters().malformed, 1);
  EXPECT_EQ(iot_->counters().unknown_sensor, 1);

  // Heartbeats move last_seen; silence takes a sensor offline.
  clock_.advance(60000);
  send(pub, topic("wl-2", "heartbeat"), payload("h1", ""));
  EXPECT_EQ(*iot_->get_sensor("wl-2", admin_)->last_seen_at_ms, clock_.now_ms());
  clock_.advance(9 * 60000);
  send(pub, topic("wl-2", "heartbeat"), payload("h2", ""));
  clock_.advance(2 * 60000);  // wl-1 and wl-flap silent for > 10 min; wl-2 for 2
  auto sw = iot_->sweep();
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->went_offline, 2);
  EXPECT_EQ(iot_->get_sensor("wl-1", admin_)->state, LinkState::offline);
  EXPECT_EQ(iot_->get_sensor("wl-2", admin_)->state, LinkState::online);
  EXPECT_EQ(events_of("iot.sensor_offline"), 2);
  auto st = iot_->status(admin_);
  EXPECT_EQ(st->online, 1);
  EXPECT_EQ(st->offline, 2);
  EXPECT_TRUE(st->broker_connected);

  // The broker restarts: the subscriber reconnects and the sensor comes back online.
  broker_.stop();
  ASSERT_TRUE(wait_until([&] { return !iot_->connected(); }));
  ASSERT_TRUE(broker_.start(broker_.port()));
  ASSERT_TRUE(wait_until([&] { return iot_->connected(); })) << "no reconnect";
  Publisher pub2(broker_.port());
  ASSERT_TRUE(pub2.ok());
  send(pub2, topic("wl-1", "heartbeat"), payload("h3", ""));
  EXPECT_EQ(iot_->get_sensor("wl-1", admin_)->state, LinkState::online);

  // The sensor's event travels the whole loop to 结案.
  iot_->stop();
  EXPECT_FALSE(iot_->connected());
  auto closed = close_loop(first.event_id);
  EXPECT_EQ(closed.state, grid::State::closed);
  ASSERT_TRUE(closed.closed_on_time);
  EXPECT_TRUE(*closed.closed_on_time);
}

INSTANTIATE_TEST_SUITE_P(Backends, IotMqtt, ::testing::ValuesIn(yiwang::testing::backends()));

}  // namespace
}  // namespace yiwang::iot
