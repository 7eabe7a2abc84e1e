// The MQTT subscriber: one libmosquitto client driven by our own network thread, so that
// reconnect backoff and shutdown are explicit; plus the sweep thread.
#include <mosquitto.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "iot/internal.h"

namespace yiwang::iot {
namespace {

std::once_flag g_lib_once;

// Waits `ms` or until stop is requested; returns false when stopped.
bool wait_for(std::stop_token st, core::Millis ms) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  cv.wait_for(lock, st, std::chrono::milliseconds(ms), [] { return false; });
  return !st.stop_requested();
}

struct Client {
  Service::Impl* impl = nullptr;
  mosquitto* mosq = nullptr;
  int qos = 1;
  std::vector<std::string> topics;
  std::size_t acked = 0;  // SUBACKs of the current connection
};

void on_connect(mosquitto* mosq, void* obj, int rc) {
  auto* c = static_cast<Client*>(obj);
  if (rc != 0) {
    c->impl->log(std::string("broker refused the connection: ") + mosquitto_connack_string(rc));
    return;
  }
  c->acked = 0;
  for (const auto& t : c->topics) {
    int s = mosquitto_subscribe(mosq, nullptr, t.c_str(), c->qos);
    if (s != MOSQ_ERR_SUCCESS) c->impl->log("subscribe " + t + ": " + mosquitto_strerror(s));
  }
}

// Connected means subscribed: only then is a message published elsewhere sure to reach us.
void on_subscribe(mosquitto*, void* obj, int, int count, const int* granted) {
  auto* c = static_cast<Client*>(obj);
  for (int i = 0; i < count; ++i) {
    if (granted[i] > 2) c->impl->log("broker refused a subscription");
  }
  if (++c->acked >= c->topics.size()) c->impl->connected = true;
}

void on_disconnect(mosquitto*, void* obj, int) {
  static_cast<Client*>(obj)->impl->connected = false;
}

void on_message(mosquitto*, void* obj, const mosquitto_message* m) {
  auto* c = static_cast<Client*>(obj);
  std::string_view topic = m->topic ? m->topic : "";
  std::string_view payload(static_cast<const char*>(m->payload),
                           m->payload ? static_cast<std::size_t>(m->payloadlen) : 0);
  // Everything a message can do wrong is a value; an exception here is a bug, and a bug must not
  // take the network thread (and every later alarm) with it.
  try {
    (void)c->impl->ingest(topic, payload);
  } catch (const std::exception& e) {
    c->impl->log(std::string("message handling failed: ") + e.what());
  }
}

void network_loop(std::stop_token st, Service::Impl* impl) {
  const Options& o = impl->options;
  Client client;
  client.impl = impl;
  client.qos = 1;
  client.topics = {o.topic_prefix + "/+/alarm", o.topic_prefix + "/+/heartbeat"};
  // A persistent session (clean_session false) keeps QoS 1 alarms at the broker while we are away.
  mosquitto* mosq = mosquitto_new(o.client_id.c_str(), false, &client);
  if (!mosq) {
    impl->log("mosquitto_new failed");
    return;
  }
  client.mosq = mosq;
  mosquitto_connect_callback_set(mosq, on_connect);
  mosquitto_disconnect_callback_set(mosq, on_disconnect);
  mosquitto_subscribe_callback_set(mosq, on_subscribe);
  mosquitto_message_callback_set(mosq, on_message);
  if (!o.username.empty()) {
    mosquitto_username_pw_set(mosq, o.username.c_str(),
                              o.password.empty() ? nullptr : o.password.c_str());
  }
  core::Millis backoff = o.reconnect_min_ms;
  bool linked = false;  // a TCP connection exists (CONNACK may still be due)
  while (!st.stop_requested()) {
    if (!linked) {
      int rc = mosquitto_connect(mosq, o.broker_host.c_str(), o.broker_port, o.keepalive_s);
      if (rc != MOSQ_ERR_SUCCESS) {
        impl->log("cannot reach broker " + o.broker_host + ":" + std::to_string(o.broker_port) +
                  " (" + mosquitto_strerror(rc) + "), retrying in " + std::to_string(backoff) +
                  " ms");
        if (!wait_for(st, backoff)) break;
        backoff = std::min(backoff * 2, o.reconnect_max_ms);
        continue;
      }
      linked = true;
    }
    int rc = mosquitto_loop(mosq, 200, 1);
    if (rc == MOSQ_ERR_SUCCESS) {
      if (impl->connected) backoff = o.reconnect_min_ms;
      continue;
    }
    impl->connected = false;
    impl->log(std::string("broker connection lost: ") + mosquitto_strerror(rc) +
              ", reconnecting in " + std::to_string(backoff) + " ms");
    if (!wait_for(st, backoff)) break;
    backoff = std::min(backoff * 2, o.reconnect_max_ms);
    rc = mosquitto_reconnect(mosq);
    linked = rc == MOSQ_ERR_SUCCESS;
  }
  if (linked) {
    mosquitto_disconnect(mosq);
    mosquitto_loop(mosq, 100, 1);  // flush the DISCONNECT
  }
  impl->connected = false;
  mosquitto_destroy(mosq);
}

void sweep_loop(std::stop_token st, Service::Impl* impl) {
  while (wait_for(st, impl->options.sweep_interval_ms)) {
    try {
      auto r = impl->sweep(60000);
      if (!r) impl->log("sweep: " + r.error().message_en);
    } catch (const std::exception& e) {
      impl->log(std::string("sweep failed: ") + e.what());
    }
  }
}

}  // namespace

Status Service::Impl::start_subscriber() {
  const Options& o = options;
  if (o.broker_host.empty() || o.broker_port < 1 || o.broker_port > 65535) {
    return fail(ErrorCode::invalid_input, "broker", "消息代理地址无效", "invalid broker address");
  }
  if (o.client_id.empty() || o.client_id.size() > 23 * 4) {
    return fail(ErrorCode::invalid_input, "client_id", "客户端标识无效", "invalid client id");
  }
  if (o.topic_prefix.empty() || o.topic_prefix.find_first_of("+#") != std::string::npos) {
    return fail(ErrorCode::invalid_input, "topic_prefix", "主题前缀无效", "invalid topic prefix");
  }
  if (o.reconnect_min_ms < 1 || o.reconnect_max_ms < o.reconnect_min_ms) {
    return fail(ErrorCode::invalid_input, "reconnect", "重连间隔无效", "invalid reconnect backoff");
  }
  core::MutexLock lock(run_mu);
  if (running) return fail(ErrorCode::conflict, "", "订阅已在运行", "subscriber already running");
  std::call_once(g_lib_once, [] { mosquitto_lib_init(); });
  network = std::jthread(network_loop, this);
  if (o.sweep_interval_ms > 0) sweeper = std::jthread(sweep_loop, this);
  running = true;
  return {};
}

void Service::Impl::stop_subscriber() {
  core::MutexLock lock(run_mu);
  if (!running) return;
  network.request_stop();
  sweeper.request_stop();
  if (network.joinable()) network.join();
  if (sweeper.joinable()) sweeper.join();
  network = {};
  sweeper = {};
  running = false;
}

bool Service::Impl::subscriber_running() {
  core::MutexLock lock(run_mu);
  return running;
}

}  // namespace yiwang::iot
