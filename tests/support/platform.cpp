#include "support/platform.h"

#include <chrono>

#include "events/events.h"
#include "support/test_store.h"

namespace yiwang::testing {

core::Millis at(int y, unsigned m, unsigned d, int hour) {
  using namespace std::chrono;
  return core::china_midnight(core::Date{year{y}, month{m}, day{d}}) + hour * 3'600'000LL;
}

std::string citizen_id(std::string_view first17) {
  return std::string(first17) + identity::citizen_id_check(first17);
}

std::string uscc(std::string_view first17) {
  return std::string(first17) + identity::uscc_check(first17);
}

identity::Options fast_hashing() {
  identity::Options o;
  o.pwhash_opslimit = 1;
  o.pwhash_memlimit = 8192;
  // Module tests sign officials in with a password alone; the identity and API tests keep the
  // second factor on and test it.
  o.officials_need_second_factor = false;
  return o;
}

void Platform::open(const std::string& backend, const Modules& modules, core::Millis start,
                    identity::Options options) {
  clock_.set(start);
  store_ = make_store(backend);
  std::vector<store::Migration> all;
  for (const auto& list : Modules{events::migrations(), identity::migrations()}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  for (const auto& list : modules) all.insert(all.end(), list.begin(), list.end());
  auto st = store::migrate(*store_, all);
  ASSERT_TRUE(st) << "migrations: " << st.error().message_en;
  ids_ = std::make_unique<identity::Service>(*store_, clock_, random_, options);
}

void Platform::department(const std::string& id, const std::string& name,
                          const std::string& parent_id) {
  auto d = ids_->create_department({id, name, "", "", parent_id}, nullptr);
  EXPECT_TRUE(d) << id << ": " << d.error().message_en;
}

identity::Principal Platform::user(identity::NewUser u) {
  if (u.password.empty()) u.password = std::string(kPassword);
  if (u.display_name.empty()) u.display_name = u.username;
  auto p = ids_->create_user(u, nullptr);
  EXPECT_TRUE(p) << u.username << ": " << p.error().message_en << " " << p.error().field;
  return p ? *p : identity::Principal{};
}

identity::Principal Platform::official(const std::string& username, const std::string& dept,
                                       std::set<identity::Role> roles) {
  identity::NewUser u;
  u.username = username;
  u.kind = identity::Kind::official;
  u.dept_id = dept;
  u.roles = std::move(roles);
  return user(std::move(u));
}

identity::Principal Platform::citizen(const std::string& username, const std::string& display_name,
                                      std::string_view id17, const std::string& phone) {
  identity::NewUser u;
  u.username = username;
  u.kind = identity::Kind::citizen;
  u.display_name = display_name;
  u.id_number = citizen_id(id17);
  u.phone = phone;
  return verified(user(std::move(u)));
}

identity::Principal Platform::verified(identity::Principal p) {
  auto st = store_->write([&](store::Tx& tx) -> Status {
    tx.exec("UPDATE users SET assurance = 'in_person', verified_method = 'counter' WHERE id = ?",
            {p.user_id});
    return {};
  });
  EXPECT_TRUE(st);
  p.assurance = identity::Assurance::in_person;
  return p;
}

identity::Principal Platform::business(const std::string& username, const std::string& display_name,
                                       std::string_view uscc17) {
  identity::NewUser u;
  u.username = username;
  u.kind = identity::Kind::business;
  u.display_name = display_name;
  u.id_number = uscc(uscc17);
  return verified(user(std::move(u)));
}

}  // namespace yiwang::testing
