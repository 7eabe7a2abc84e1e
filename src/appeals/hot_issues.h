// Hot issues (热点问题): appeals about the same problem in the same place, grouped over a time
// window, with a heat index and a representative title, for the hotline centre's cockpit and
// its Excel export.
//
// The algorithm (`find_hot_issues`) is a pure function of its input; the same messages and
// options always give the same issues in the same order, whatever the input order.
//
// 1. Places and entities are extracted without a word segmenter, by suffix patterns over code
//    points (see `extract_places`): a name is the run of ideographs (at most max_name_chars)
//    before a suffix, cut at non-ideographs, at function characters (的, 在, 我, 该, 市, 区, …)
//    and at the end of the previous mention, with leading verbs (投诉, 反映, 位于, …) dropped.
//      district  A5区, A7县, 芙蓉区        (coarse; the anonymised letters+digits of the data too)
//      road      …路, …街, …大道, …大街, …巷
//      town      …镇, …乡, …街道
//      village   …村
//      estate    …小区, …社区 (both stripped: 丽发新城小区 → 丽发新城), …花园, …家园, …公寓,
//                …苑, …园, …城, …府, …湾, …大厦, …广场, …山庄, …公园; two adjacent estate
//                names are also taken together (伊景园 + 滨河苑 → 伊景园滨河苑)
//      org       …学院, …大学, …中学, …小学, …学校, …幼儿园, …医院, …市场
//      company   …公司, …集团, …银行
//    Names of one character, and a short list of generic names (中小学校, 人民政府, 物业公司, …),
//    are dropped. Two names denote the same place when one contains the other (魅力之城 and
//    万科魅力之城; 丽发 from 丽发小区 and 丽发新城).
// 2. Two messages are compared on what the problem is: TF-IDF weighted character bigrams of the
//    title (counted twice) and the text, with the extracted place names blanked out so that a
//    shared place does not by itself make two problems look alike; cosine similarity.
// 3. Places decide how alike the problem must be. Fine places are estates, orgs and villages;
//    coarse ones roads, towns and companies (自来水公司 serves a whole city). Both name fine
//    places: the same one → same_place_threshold, none in common → never merged. Otherwise
//    different districts → never merged; a coarse place in common → same_place_threshold;
//    nothing to compare → threshold. With the same place, a message also counts as alike when
//    the other says the words of its title (IDF-weighted share of the title's bigrams found in
//    the other message, averaged both ways): citizens name one problem in different words
//    (油烟扰民 / 夜宵摊污染空气 / 底层商铺噪音), and the place already vouches for the rest.
//    Messages further apart than link_gap_days are not linked directly.
// 4. Candidate pairs come from inverted indexes over each message's index_keys rarest bigrams
//    and over the bigrams of its place names, postings ordered by time and walked only within
//    link_gap_days, capped at max_postings per key, so the work grows with the messages in each
//    other's time window rather than with N² (and at most max_candidates each). Linked messages
//    form issues (union-find: single linkage, which follows a complaint campaign as it is
//    reworded).
//
// Heat (see HotOptions): distinct people matter most — one person writing ten times is one
// voice, so repeats by the same person add little; likes are cheap endorsement, counted on a log
// scale with a lower weight; a problem that persists over days is more pressing than a one-day
// burst, so the span raises heat slowly; and old issues fade with a half-life from `now`.
//   heat = 10 · (w_people·ln(1+people) + w_repeats·ln(1+count−people) + w_likes·ln(1+likes))
//            · (1 + w_span·ln(1+span_days)) · 0.5^(age_days / recency_half_life_days)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "identity/identity.h"
#include "store/store.h"

namespace yiwang::http {
class Router;
}

namespace yiwang::appeals {

enum class PlaceKind { district, road, town, village, estate, org, company };
std::string_view to_string(PlaceKind k);

struct PlaceMention {
  std::string name;  // "丽发新城", "劳动东路", "A5区"
  PlaceKind kind = PlaceKind::estate;
};

// Every place and organisation named in `text`, in order of appearance (repeats kept).
std::vector<PlaceMention> extract_places(std::string_view text);
// Whether two names denote the same place: one contains the other (both at least 2 characters).
bool same_place(std::string_view a, std::string_view b);

struct HotMessage {
  std::string id;
  std::string user;  // who reported it (identity key); "" counts as a person of its own
  std::string title;
  std::string text;
  std::string location;  // free text; searched for places like the title and text
  core::Millis created_at_ms = 0;
  std::int64_t likes = 0;
  std::string dept_id;
  int reports = 1;  // ≥ 1: an appeal with merged repeats counts each repeat by the same person
};

struct HotOptions {
  // Similarity (cosine of TF-IDF bigram vectors, places blanked out) needed to link two messages.
  double same_place_threshold = 0.22;  // when they name the same place (also title coverage)
  double threshold = 0.5;              // when there is no place to compare
  double link_gap_days = 60;           // messages further apart are not linked directly
  int text_chars = 600;                // code points of the text read (the title is read whole)
  int index_keys = 12;                 // rarest bigrams per message put in the candidate index
  int max_postings = 4000;             // keys more common than this are not used for candidates
  int max_candidates = 3000;           // messages compared with each message at most (newest
                                       // first): bounds the work when a window is crowded
  double place_max_df = 0.03;          // places in more messages than this share (≥ 50) are
                                       // too general to decide anything (A市-wide names)
  int min_count = 2;                   // an issue has at least this many reports …
  int min_people = 2;                  // … from at least this many people
  // Heat (see the header comment).
  double w_people = 2.0;
  double w_repeats = 0.3;
  double w_likes = 0.8;
  double w_span = 0.15;
  double recency_half_life_days = 30;  // 0: no decay
  core::Millis now_ms = 0;             // age reference; 0: the newest message
  int max_entities = 6;

  // Routes. The hotline centre's department (app::Config::hotline_dept) reads hot issues.
  std::string hotline_dept_id;
  int default_days = 30;
  int max_days = 366;
  int default_limit = 20;
  int max_limit = 100;
  int max_messages = 100000;  // newest appeals read per request
  // A window's grouping is reused while its appeals are unchanged (same count, revisions and
  // newest) and it is younger than this; 0: computed on every request.
  core::Millis cache_ms = 60 * 1000;
};

struct HotIssue {
  std::string id;     // "HI-" + the id of its earliest message: stable while the issue grows
  std::string title;  // the medoid's title: the member most like all the others
  std::string place;  // the most often named fine place (else road/town, else district); may be ""
  std::vector<std::string> entities;  // places and organisations named most often, most first
  std::int64_t count = 0;             // reports (sum of HotMessage::reports)
  std::int64_t people = 0;            // distinct users
  std::int64_t likes = 0;
  core::Millis first_at_ms = 0;
  core::Millis last_at_ms = 0;
  double span_days = 0;
  double heat = 0;
  std::vector<std::string> member_ids;  // oldest first
  std::vector<std::string> dept_ids;    // distinct, non-empty, sorted
};

struct HotResult {
  std::vector<HotIssue> issues;  // hottest first (ties: more reports, then id)
  std::size_t messages = 0;
  std::size_t groups = 0;  // groups of two or more messages, before min_count/min_people
  std::size_t candidate_pairs = 0;
  std::size_t linked_pairs = 0;
};

HotResult find_hot_issues(const std::vector<HotMessage>& messages, const HotOptions& options = {});
// Cosine similarity of the two texts as the clustering sees them (for tests and tuning).
double problem_similarity(std::string_view a, std::string_view b);

// GET /api/v1/appeals/hot-issues?days=&limit= (JSON) and GET /api/v1/appeals/hot-issues.csv?days=
// (UTF-8 with BOM): appeals created in the last `days` days, for staff of the hotline centre,
// supervisors and admins (others: forbidden). Concurrent readers of a window share one grouping
// (see HotOptions::cache_ms); `generated_at` says when it was computed.
void register_hot_issue_routes(http::Router& router, store::Store& store, const core::Clock& clock,
                               identity::Service& identity, HotOptions options = {});

}  // namespace yiwang::appeals
