// Personal data sealed at rest, on both backends: what the identity service writes holds no id
// number, phone or second-factor secret in the clear, yet reads back whole; rows an older version
// stored in the clear are sealed by seal_at_rest; a sealed value moved to another row does not
// open.
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "core/field_cipher.h"
#include "identity/identity.h"
#include "identity/totp.h"
#include "support/platform.h"
#include "support/test_store.h"

namespace yiwang::identity {
namespace {

constexpr const char* kIdNumber = "11010519491231002X";
constexpr const char* kPhone = "13905250000";

class AtRestTest : public yiwang::testing::PlatformTest {
 protected:
  void SetUp() override {
    auto options = yiwang::testing::fast_hashing();
    options.officials_need_second_factor = true;
    ASSERT_NO_FATAL_FAILURE(
        open({},
             core::china_midnight(
                 core::Date{std::chrono::year{2026}, std::chrono::month{3}, std::chrono::day{2}}) +
                 9 * 3'600'000LL,
             options));
    ASSERT_TRUE(ids_->create_department({"zwfw", "政务服务办", "", "329900", ""}, nullptr));
  }

  NewUser person(const std::string& username, const std::string& id_number) {
    NewUser u;
    u.username = username;
    u.password = std::string(yiwang::testing::kPassword);
    u.kind = Kind::citizen;
    u.display_name = "张三";
    u.id_number = id_number;
    u.phone = kPhone;
    return u;
  }

  // Every text cell of the tables that hold personal data, joined: what a copy of the database
  // shows to whoever reads it without the key.
  std::string raw_tables() {
    std::string all;
    auto st = store_->read([&](store::Tx& tx) -> Status {
      for (const char* sql :
           {"SELECT id, username, COALESCE(id_number, ''), COALESCE(id_number_index, ''), phone "
            "FROM users",
            "SELECT user_id, secret, pending FROM second_factors",
            "SELECT id_index, id_number, name, phone FROM population_records",
            "SELECT id_number, name, phone FROM population_registry"}) {
        for (const auto& row : tx.query(sql)) {
          for (std::size_t i = 0; i < row.size(); ++i) all += row.text(i) + "|";
        }
      }
      return {};
    });
    EXPECT_TRUE(st);
    return all;
  }

  void exec(const std::string& sql, const store::Params& params = {}) {
    auto st = store_->write([&](store::Tx& tx) -> Status {
      tx.exec(sql, params);
      return {};
    });
    ASSERT_TRUE(st) << sql;
  }
};

TEST_P(AtRestTest, WhatTheServiceWritesIsSealedAndReadsBackWhole) {
  auto citizen = ids_->create_user(person("zhangsan", kIdNumber), nullptr);
  ASSERT_TRUE(citizen) << citizen.error().message_en;
  Enrolment factor;
  NewUser official;
  official.username = "clerk";
  official.password = std::string(yiwang::testing::kPassword);
  official.kind = Kind::official;
  official.display_name = "窗口";
  official.dept_id = "zwfw";
  official.roles = {Role::clerk};
  ASSERT_TRUE(ids_->create_user(official, nullptr, &factor));
  ASSERT_TRUE(ids_->upsert_registry_record(kIdNumber, "张三", "13700001111"));

  const std::string raw = raw_tables();
  for (const std::string& clear :
       {std::string(kIdNumber), std::string(kPhone), std::string("13700001111"), factor.secret}) {
    EXPECT_EQ(std::string::npos, raw.find(clear)) << clear << " in the clear: " << raw;
  }
  EXPECT_EQ(std::string::npos, raw.find("张三")) << "the registry's name in the clear";

  auto back = ids_->get_user(citizen->user_id);
  ASSERT_TRUE(back);
  EXPECT_EQ(kIdNumber, back->id_number);
  EXPECT_EQ(kPhone, back->phone);
  // The sealed secret still signs the official in; the index still finds duplicates.
  auto login = ids_->login("clerk", yiwang::testing::kPassword, "10.0.0.1",
                           {.totp = totp::code_at(factor.secret, clock_.now_ms())});
  EXPECT_TRUE(login) << login.error().message_en;
  // Verified accounts are found by id number through the index.
  official.username = "window";
  auto window = ids_->create_user(official, nullptr);
  ASSERT_TRUE(window);
  ASSERT_TRUE(ids_->verify_in_person(citizen->user_id, *window));
  auto twice = ids_->create_user(person("zhangsan2", kIdNumber), nullptr);
  ASSERT_FALSE(twice);
  EXPECT_EQ("/id_number", twice.error().field);
  auto found = store_->read([&](store::Tx& tx) -> Result<std::vector<std::string>> {
    return verified_account_ids(tx, kIdNumber);
  });
  ASSERT_TRUE(found);
  EXPECT_EQ(std::vector<std::string>{citizen->user_id}, *found);
  auto number = store_->read([&](store::Tx& tx) -> Result<std::string> {
    return verified_id_number_of(tx, citizen->user_id);
  });
  EXPECT_EQ(kIdNumber, number.value());
}

TEST_P(AtRestTest, ClearTextLeftByAnOlderVersionIsSealedOnce) {
  // Rows as an older version wrote them.
  exec(
      "INSERT INTO users (id, username, kind, display_name, id_number, division_code, phone, "
      "dept_id, roles, password_hash, created_at_ms, active, password_changed_at_ms) VALUES "
      "('u-old', 'old', 'citizen', '张三', ?, '', ?, '', '', 'x', 0, 1, 0)",
      {std::string(kIdNumber), std::string(kPhone)});
  const std::string secret = totp::new_secret(random_);
  exec(
      "INSERT INTO second_factors (user_id, secret, pending, last_step, enabled_at_ms) VALUES "
      "('u-old', ?, '', 0, 0)",
      {secret});
  exec("INSERT INTO population_registry (id_number, name, phone) VALUES (?, '张三', '13700001111')",
       {std::string(kIdNumber)});

  auto sealed = ids_->seal_at_rest();
  ASSERT_TRUE(sealed) << sealed.error().message_en;
  EXPECT_EQ(2 + 1 + 3, *sealed);  // id number and phone, the secret, the registry's three
  EXPECT_EQ(0, ids_->seal_at_rest().value());
  const std::string raw = raw_tables();
  for (const std::string& clear : {std::string(kIdNumber), std::string(kPhone), secret}) {
    EXPECT_EQ(std::string::npos, raw.find(clear)) << clear << " in the clear: " << raw;
  }

  auto back = ids_->get_user("u-old");
  ASSERT_TRUE(back);
  EXPECT_EQ(kIdNumber, back->id_number);
  EXPECT_EQ(kPhone, back->phone);
  // The index was filled in: once verified, the same number cannot register again.
  exec("UPDATE users SET assurance = 'in_person' WHERE id = 'u-old'", {});
  auto twice = ids_->create_user(person("zhangsan2", kIdNumber), nullptr);
  ASSERT_FALSE(twice);
  EXPECT_EQ("/id_number", twice.error().field);
}

TEST_P(AtRestTest, ASealedValueMovedToAnotherAccountDoesNotOpen) {
  auto a = ids_->create_user(person("alice", kIdNumber), nullptr);
  auto b =
      ids_->create_user(person("bob", yiwang::testing::citizen_id("11010519491231003")), nullptr);
  ASSERT_TRUE(a && b);
  // Someone with write access to the database gives bob alice's sealed phone.
  exec("UPDATE users SET phone = (SELECT phone FROM users WHERE id = ?) WHERE id = ?",
       {a->user_id, b->user_id});
  EXPECT_THROW((void)ids_->get_user(b->user_id), std::runtime_error);
  EXPECT_TRUE(ids_->get_user(a->user_id));
}

TEST(AtRest, TheServiceRefusesToStartWithoutAKey) {
  auto store = yiwang::testing::make_store("sqlite");
  store->use_cipher(nullptr);
  core::ManualClock clock{0};
  core::SystemRandom random;
  Options options;
  EXPECT_THROW(Service(*store, clock, random, options), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(Backends, AtRestTest, ::testing::ValuesIn(yiwang::testing::backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace yiwang::identity
