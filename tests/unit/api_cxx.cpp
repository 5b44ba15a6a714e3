// api_cxx.cpp: weft.h used from C++. The header must compile as C++ and
// its handles, values and callbacks must be usable the ordinary C++ way:
// RAII owners, captureless lambdas as host functions and resolvers, and
// the new external API (memory, tables, globals, import and export
// enumeration, trap formatting). Exits 0 when every check holds.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "weft.h"

namespace {

// The module, assembled by wat2wasm from:
//   (module
//     (import "host" "twice" (func $twice (param i32) (result i32)))
//     (memory (export "memory") 1 2)
//     (global (export "counter") (mut i32) (i32.const 0))
//     (table (export "table") 1 funcref)
//     (func $add (export "add") (param i32 i32) (result i32)
//       (call $twice (i32.add (local.get 0) (local.get 1))))
//     (elem (i32.const 0) $add)
//     (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
// It is embedded so this test needs no tool at run time.
const uint8_t module_bytes[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0c, 0x02, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f, 0x02, 0x0e,
  0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x74, 0x77, 0x69, 0x63, 0x65,
  0x00, 0x00, 0x03, 0x03, 0x02, 0x01, 0x00, 0x04, 0x04, 0x01, 0x70, 0x00,
  0x01, 0x05, 0x04, 0x01, 0x01, 0x01, 0x02, 0x06, 0x06, 0x01, 0x7f, 0x01,
  0x41, 0x00, 0x0b, 0x07, 0x29, 0x05, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72,
  0x79, 0x02, 0x00, 0x07, 0x63, 0x6f, 0x75, 0x6e, 0x74, 0x65, 0x72, 0x03,
  0x00, 0x05, 0x74, 0x61, 0x62, 0x6c, 0x65, 0x01, 0x00, 0x03, 0x61, 0x64,
  0x64, 0x00, 0x01, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x02, 0x09, 0x07,
  0x01, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x01, 0x0a, 0x13, 0x02, 0x09, 0x00,
  0x20, 0x00, 0x20, 0x01, 0x6a, 0x10, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00,
  0x28, 0x02, 0x00, 0x0b
};

struct module_free { void operator()(weft_module *m) const { weft_module_free(m); } };
struct engine_free { void operator()(weft_engine *e) const { weft_engine_free(e); } };

int failures = 0;

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "api_cxx: FAILED: %s\n", what);
        failures++;
    }
}

weft_value i32(int32_t v)
{
    weft_value value{};
    value.kind = WEFT_I32;
    value.of.i32 = v;
    return value;
}

} // namespace

int main()
{
    weft_error err{};
    weft_module *raw_module = nullptr;
    if (weft_module_load(module_bytes, sizeof module_bytes, &raw_module, &err) != WEFT_OK) {
        std::fprintf(stderr, "api_cxx: load: %s\n", err.message);
        return 1;
    }
    std::unique_ptr<weft_module, module_free> module(raw_module);

    // What the module needs and offers, before it is instantiated.
    check(weft_module_import_count(module.get()) == 1, "one import");
    weft_import_desc imp{};
    check(weft_module_import(module.get(), 0, &imp) == WEFT_OK, "import 0");
    check(std::string(imp.module, imp.module_len) == "host" &&
          std::string(imp.field, imp.field_len) == "twice" && imp.kind == WEFT_EXTERN_FUNC,
          "import 0 is host.twice, a function");
    std::vector<std::string> names;
    for (uint32_t i = 0; i < weft_module_export_count(module.get()); i++) {
        weft_export_desc exp{};
        if (weft_module_export(module.get(), i, &exp) == WEFT_OK)
            names.emplace_back(exp.name, exp.name_len);
    }
    check(names == std::vector<std::string>{ "memory", "counter", "table", "add", "load" },
          "the exports, in order");

    weft_config config;
    weft_config_init(&config);
    weft_engine *raw_engine = nullptr;
    if (weft_engine_new(&config, &raw_engine, &err) != WEFT_OK) {
        std::fprintf(stderr, "api_cxx: engine: %s\n", err.message);
        return 1;
    }
    std::unique_ptr<weft_engine, engine_free> engine(raw_engine);

    // A captureless lambda is a weft_host_callback.
    const weft_valkind i32_kind[] = { WEFT_I32 };
    weft_func *twice = nullptr;
    weft_host_callback callback = [](void *, const weft_value *args, weft_value *results,
                                     weft_error *) -> weft_status {
        results[0] = i32(args[0].of.i32 * 2);
        return WEFT_OK;
    };
    check(weft_func_new(engine.get(), i32_kind, 1, i32_kind, 1, callback, nullptr, &twice) ==
              WEFT_OK, "host function");
    weft_resolver resolver = [](void *user, const char *, size_t, const char *, size_t,
                                weft_extern *out) -> bool {
        out->kind = WEFT_EXTERN_FUNC;
        out->of.func = static_cast<weft_func *>(user);
        return true;
    };
    weft_instance *instance = nullptr;
    if (weft_instantiate(engine.get(), module.get(), resolver, twice, &instance, &err) !=
        WEFT_OK) {
        std::fprintf(stderr, "api_cxx: instantiate: %s\n", err.message);
        return 1;
    }

    weft_extern add{}, load{}, memory{}, counter{}, table{};
    check(weft_instance_export(instance, "add", 3, &add), "export add");
    check(weft_instance_export(instance, "load", 4, &load), "export load");
    check(weft_instance_export(instance, "memory", 6, &memory), "export memory");
    check(weft_instance_export(instance, "counter", 7, &counter), "export counter");
    check(weft_instance_export_at(instance, 2, nullptr, &table) == WEFT_OK &&
          table.kind == WEFT_EXTERN_TABLE, "export 2 is the table");

    const weft_value args[] = { i32(20), i32(1) };
    weft_value result{};
    check(weft_call(engine.get(), add.of.func, args, 2, &result, 1, &err) == WEFT_OK &&
          result.of.i32 == 42, "add(20, 1) = 42");

    // Memory: bytes the host writes are what the guest loads.
    const uint32_t word = 0x01020304;
    check(weft_memory_write(memory.of.memory, 16, &word, sizeof word, &err) == WEFT_OK,
          "memory write");
    weft_value at = i32(16);
    check(weft_call(engine.get(), load.of.func, &at, 1, &result, 1, &err) == WEFT_OK &&
          result.of.i32 == 0x01020304, "the guest loads what the host wrote");
    uint8_t byte = 0;
    check(weft_memory_read(memory.of.memory, 65536, &byte, 1, &err) == WEFT_ERR_ARGUMENT,
          "a read past the end fails");
    uint64_t old_pages = 0;
    check(weft_memory_grow(memory.of.memory, 1, &old_pages, nullptr) == WEFT_OK &&
          old_pages == 1 && weft_memory_pages(memory.of.memory) == 2, "grow by one page");
    check(weft_memory_grow(memory.of.memory, 1, &old_pages, &err) == WEFT_ERR_LIMIT,
          "grow past the maximum fails");

    // Globals and tables.
    check(weft_global_kind(counter.of.global) == WEFT_I32 &&
          weft_global_mutable(counter.of.global), "counter is a mutable i32");
    check(weft_global_set(counter.of.global, i32(5), &err) == WEFT_OK &&
          weft_global_get(counter.of.global).of.i32 == 5, "set the counter");
    weft_value elem{};
    check(weft_table_size(table.of.table) == 1 &&
          weft_table_get(table.of.table, 0, &elem, &err) == WEFT_OK &&
          elem.of.ref == add.of.func, "table[0] is add");
    check(weft_table_get(table.of.table, 1, &elem, &err) == WEFT_ERR_ARGUMENT,
          "table[1] is out of range");

    // A trap, formatted with its backtrace.
    weft_value null_ref{};
    null_ref.kind = WEFT_FUNCREF;
    check(weft_table_set(table.of.table, 0, null_ref, &err) == WEFT_OK, "clear table[0]");
    at = i32(-1);
    check(weft_call(engine.get(), load.of.func, &at, 1, &result, 1, &err) == WEFT_ERR_TRAP,
          "an out-of-bounds load traps");
    char text[512];
    std::string trap = weft_trap_format(engine.get(), &err, text, sizeof text);
    check(trap.rfind("out of bounds memory access", 0) == 0, "the trap's message");

    if (failures)
        return 1;
    std::printf("api_cxx: all checks passed\n");
    return 0;
}
