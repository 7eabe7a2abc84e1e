#include "core/result.h"

namespace yiwang {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_input: return "invalid-input";
    case ErrorCode::unauthenticated: return "unauthenticated";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not-found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::too_large: return "too-large";
    case ErrorCode::unprocessable: return "unprocessable";
    case ErrorCode::unsupported_media: return "unsupported-media-type";
    case ErrorCode::locked: return "locked";
    case ErrorCode::rate_limited: return "rate-limited";
    case ErrorCode::overloaded: return "overloaded";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

}  // namespace yiwang
