yiwang_module(privacy DEPS core)
