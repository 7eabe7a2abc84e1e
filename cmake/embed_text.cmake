# Writes OUT defining `extern const char* const SYMBOL` with the text of IN.
file(READ ${IN} text)
file(WRITE ${OUT}.tmp "// Generated from ${IN}; do not edit.\nnamespace yiwang::generated {\nextern const char* const ${SYMBOL};\nconst char* const ${SYMBOL} = R\"yiwangtext(${text})yiwangtext\";\n}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
