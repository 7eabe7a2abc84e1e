// core::FieldCipher: sealed values open only with their key and context, the index is stable and
// keyed, and the key file is made once (0600) and read back.
#include "core/field_cipher.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace yiwang::core {
namespace {

namespace fs = std::filesystem;

TEST(FieldCipher, SealsAndOpensUnderTheSameContextOnly) {
  auto c = FieldCipher::ephemeral();
  const std::string sealed = c->seal("11010519491231002X", "users.id_number:u-1");
  EXPECT_TRUE(FieldCipher::is_sealed(sealed));
  EXPECT_EQ(std::string::npos, sealed.find("11010519491231002X"));
  EXPECT_EQ("11010519491231002X", c->open(sealed, "users.id_number:u-1").value());
  // Moved to another row or column, it does not open.
  EXPECT_FALSE(c->open(sealed, "users.id_number:u-2"));
  EXPECT_FALSE(c->open(sealed, "users.phone:u-1"));
  // A fresh nonce each time: equal values do not give equal ciphertexts.
  EXPECT_NE(sealed, c->seal("11010519491231002X", "users.id_number:u-1"));
  // Nothing to protect stays nothing.
  EXPECT_EQ("", c->seal("", "users.phone:u-1"));
  EXPECT_EQ("", c->open("", "users.phone:u-1").value());
}

TEST(FieldCipher, RefusesClearTextAlteredValuesAndOtherKeys) {
  auto c = FieldCipher::ephemeral();
  auto other = FieldCipher::ephemeral();
  const std::string sealed = c->seal("13905250000", "users.phone:u-1");
  EXPECT_FALSE(other->open(sealed, "users.phone:u-1"));
  EXPECT_FALSE(c->open("13905250000", "users.phone:u-1"));  // clear text is never passed on
  EXPECT_FALSE(c->open("enc1:", "users.phone:u-1"));
  EXPECT_FALSE(c->open("enc1:!!!", "users.phone:u-1"));
  for (std::size_t at = FieldCipher::kPrefix.size(); at < sealed.size(); ++at) {
    std::string altered = sealed;
    altered[at] = altered[at] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(c->open(altered, "users.phone:u-1")) << "character " << at;
  }
}

TEST(FieldCipher, TheIndexIsStablePerContextAndKeyed) {
  auto c = FieldCipher::ephemeral();
  auto other = FieldCipher::ephemeral();
  const std::string i = c->index("11010519491231002X", "id_number");
  EXPECT_EQ(32u, i.size());
  EXPECT_EQ(i, c->index("11010519491231002X", "id_number"));
  EXPECT_NE(i, c->index("11010519491231003X", "id_number"));
  EXPECT_NE(i, c->index("11010519491231002X", "phone"));
  EXPECT_NE(i, other->index("11010519491231002X", "id_number"));
  // The context is length-prefixed: moving characters between context and value changes it.
  EXPECT_NE(c->index("bc", "a"), c->index("c", "ab"));
  EXPECT_NE(c->fingerprint(), other->fingerprint());
}

TEST(FieldCipher, TheKeyFileIsCreatedOnceWithMode0600AndReadBack) {
  const fs::path dir = fs::temp_directory_path() / ("field-cipher-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "data.key").string();

  EXPECT_FALSE(FieldCipher::load(file, /*may_create=*/false));  // missing, and may not be made
  auto made = FieldCipher::load(file, true);
  ASSERT_TRUE(made) << made.error().message_en;
  struct stat st {};
  ASSERT_EQ(0, ::stat(file.c_str(), &st));
  EXPECT_EQ(0600u, st.st_mode & 0777u);
  const std::string sealed = (*made)->seal("13905250000", "users.phone:u-1");

  auto again = FieldCipher::load(file, true);  // read, not replaced
  ASSERT_TRUE(again);
  EXPECT_EQ((*made)->fingerprint(), (*again)->fingerprint());
  EXPECT_EQ("13905250000", (*again)->open(sealed, "users.phone:u-1").value());

  std::ofstream(file) << "yiwang-data-key v1\nnot hex\n";
  auto bad = FieldCipher::load(file, true);
  ASSERT_FALSE(bad);
  EXPECT_NE(std::string::npos, bad.error().message_en.find(file));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace yiwang::core
