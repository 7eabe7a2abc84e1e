// Private to the assistant: the data files of data/assistant (embedded at build time) and the
// question rewriting they drive.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "assistant/assistant.h"

namespace yiwang::assistant {

struct Bundle {
  LifeEvent event;
  std::vector<Step> steps;  // available / link filled in when recommended
};

struct Lexicon {
  struct Synonym {
    std::vector<std::string> phrases;
    std::string expansion;
  };
  std::vector<Synonym> synonyms;
  std::vector<std::string> drop;  // question words + intent phrases, longest first
  std::vector<std::pair<std::string, std::string>> intents;  // phrase → intent, longest first
  std::vector<std::pair<std::string, std::string>> blocked;  // kind, phrase
  std::vector<Bundle> bundles;

  // Parses the embedded files; throws std::runtime_error when they are malformed.
  static Lexicon load();
};

struct Rewritten {
  std::string normalized;               // text::normalize of the question
  std::string topic;                    // with question words and intent phrases blanked out
  std::string intent;                   // first intent phrase found, "" for none
  std::vector<std::string> expansions;  // official terms of every synonym phrase found
};

Rewritten rewrite(const Lexicon& lexicon, const std::string& normalized);

// "injection" / "abuse" when the text contains a blocked phrase, else "".
std::string blocked_kind(const Lexicon& lexicon, const std::string& normalized);

}  // namespace yiwang::assistant
