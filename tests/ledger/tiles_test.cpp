// C2SP tlog-tiles paths, tile contents and entry bundles.
#include "ledger/tiles.h"

#include <gtest/gtest.h>

namespace yiwang::ledger {
namespace {

TEST(Tiles, PathsAndRoundTrips) {
  EXPECT_EQ("tile/0/x001/x234/067", tile_path({false, 0, 1234067, 256}));
  EXPECT_EQ("tile/0/x001/x234/067.p/8", tile_path({false, 0, 1234067, 8}));
  EXPECT_EQ("tile/1/000", tile_path({false, 1, 0, 256}));
  EXPECT_EQ("tile/entries/x001/000.p/255", tile_path({true, 0, 1000, 255}));
  EXPECT_EQ("tile/2/999", tile_path({false, 2, 999, 256}));

  for (const TileRef& t :
       {TileRef{false, 0, 0, 1}, TileRef{false, 3, 1234067, 256}, TileRef{true, 0, 1000000, 17},
        TileRef{false, 63, 999999999999, 255}, TileRef{true, 0, 5, 256}}) {
    auto back = parse_tile_path(tile_path(t));
    ASSERT_TRUE(back.has_value()) << tile_path(t);
    EXPECT_EQ(t.entries, back->entries);
    EXPECT_EQ(t.level, back->level);
    EXPECT_EQ(t.index, back->index);
    EXPECT_EQ(t.width, back->width);
  }
}

TEST(Tiles, InvalidPathsAreRejected) {
  for (const char* bad : {"",
                          "tile",
                          "tile/0",
                          "tile/0/",
                          "tile/0/1",
                          "tile/0/0001",
                          "tile/0/x000/001",
                          "tile/0/001/002",
                          "tile/0/x001/2",
                          "tile/0/001.p/0",
                          "tile/0/001.p/256",
                          "tile/0/001.p/08",
                          "tile/0/001.p/",
                          "tile/0/001.p",
                          "tile/64/000",
                          "tile/-1/000",
                          "tile/01/000",
                          "tile/x/000",
                          "tile/entries/00a",
                          "tiles/0/000",
                          "/tile/0/000",
                          "tile/0/000/",
                          "tile/0/x001",
                          "tile/8/0/000",
                          "tile/data/000",
                          "tile/0/x001.p/3/000"}) {
    EXPECT_FALSE(parse_tile_path(bad).has_value()) << bad;
  }
}

TEST(Tiles, ExistenceFollowsTheTreeSize) {
  // 70000 leaves: 273 full level-0 tiles and one of width 112; level 1 holds 273 hashes.
  EXPECT_EQ(70000, hashes_at_tile_level(70000, 0));
  EXPECT_EQ(273, hashes_at_tile_level(70000, 1));
  EXPECT_EQ(1, hashes_at_tile_level(70000, 2));
  EXPECT_EQ(0, hashes_at_tile_level(70000, 3));
  EXPECT_TRUE(tile_exists({false, 0, 272, 256}, 70000));
  EXPECT_TRUE(tile_exists({false, 0, 273, 112}, 70000));
  EXPECT_TRUE(tile_exists({false, 0, 273, 100}, 70000));  // published at an older size
  EXPECT_FALSE(tile_exists({false, 0, 273, 113}, 70000));
  EXPECT_FALSE(tile_exists({false, 0, 273, 256}, 70000));
  EXPECT_TRUE(tile_exists({false, 1, 1, 17}, 70000));
  EXPECT_FALSE(tile_exists({false, 1, 1, 18}, 70000));
  EXPECT_TRUE(tile_exists({false, 2, 0, 1}, 70000));
  EXPECT_FALSE(tile_exists({false, 3, 0, 1}, 70000));
  EXPECT_TRUE(tile_exists({true, 0, 273, 112}, 70000));
  EXPECT_FALSE(tile_exists({true, 0, 274, 1}, 70000));
  EXPECT_FALSE(tile_exists({false, 0, 0, 1}, 0));
  EXPECT_FALSE(tile_exists({false, 0, INT64_MAX / 2, 256}, 70000));

  auto ids = tile_nodes({false, 1, 2, 3});
  ASSERT_EQ(3u, ids.size());
  EXPECT_EQ((NodeId{8, 512}), ids[0]);
  EXPECT_EQ((NodeId{8, 514}), ids[2]);
}

TEST(Tiles, HashTilesAndEntryBundles) {
  std::vector<Hash> hs = {leaf_hash("a"), leaf_hash("b")};
  std::string tile = encode_hash_tile(hs);
  ASSERT_EQ(64u, tile.size());
  EXPECT_EQ(0, tile.compare(32, 32, reinterpret_cast<const char*>(hs[1].data()), 32));

  std::vector<std::string> entries = {"", "x", std::string(300, 'y'),
                                      std::string(kMaxEntryBytes, 'z'), std::string("\0\1", 2)};
  std::string bundle = encode_entry_bundle(entries);
  EXPECT_EQ(std::string("\0\0\0\1x\1\x2c", 7), bundle.substr(0, 7));
  auto back = decode_entry_bundle(bundle);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(entries, *back);
  EXPECT_FALSE(decode_entry_bundle(bundle.substr(0, bundle.size() - 1)).has_value());
  EXPECT_FALSE(decode_entry_bundle(std::string("\0", 1)).has_value());
  EXPECT_TRUE(decode_entry_bundle("").value().empty());
  EXPECT_THROW(encode_entry_bundle({std::string(kMaxEntryBytes + 1, 'q')}), std::invalid_argument);
}

}  // namespace
}  // namespace yiwang::ledger
