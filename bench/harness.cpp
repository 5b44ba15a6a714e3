// harness.cpp: the in-process benchmark harness: times run() of each
// program's import-free module in every dispatch strategy and bounds mode of
// libweft on Google Benchmark, checks each checksum against the native one,
// and measures the speed of loading plus lowering, and the IR size, per
// module.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "weft.h"

namespace {

struct program {
    std::string name;
    weft_module *module = nullptr;
    uint32_t expected = 0;
    bool have_expected = false;
    size_t code_bytes = 0;  // Size of the code section's payload.
};

// Quick mode calls run_quick() and compares with the wasm result of the
// direct strategy, since the checksum files hold the full-size results.
bool quick_mode = false;

// Set when any strategy's checksum differs; main then exits 1.
bool mismatch_seen = false;

std::vector<std::string> split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, sep);)
        if (!item.empty())
            out.push_back(item);
    return out;
}

std::string read_file(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// Reads one unsigned LEB128; false at the end of the buffer.
bool read_leb(const std::string &b, size_t &pos, uint64_t &out)
{
    out = 0;
    for (int shift = 0; pos < b.size() && shift < 64; shift += 7) {
        uint8_t byte = static_cast<uint8_t>(b[pos++]);
        out |= static_cast<uint64_t>(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

// The payload size of the code section (id 10), found by walking sections.
size_t code_section_size(const std::string &bytes)
{
    size_t pos = 8;
    while (pos < bytes.size()) {
        uint8_t id = static_cast<uint8_t>(bytes[pos++]);
        uint64_t size;
        if (!read_leb(bytes, pos, size))
            return 0;
        if (id == 10)
            return size;
        pos += size;
    }
    return 0;
}

std::string error_text(const weft_error &err)
{
    char buf[512];
    return weft_error_format(&err, buf, sizeof buf);
}

// Calls the kernel export once on a fresh engine and instance; the caller
// times only the call. Returns false (with a message) on any failure.
struct run_context {
    weft_engine *engine = nullptr;
    weft_func *func = nullptr;
    std::string error;

    ~run_context() { weft_engine_free(engine); }

    bool setup(const program &p, weft_dispatch dispatch, weft_bounds bounds)
    {
        weft_config config;
        weft_config_init(&config);
        config.dispatch = dispatch;
        config.bounds = bounds;
        weft_error err;
        weft_instance *inst = nullptr;
        if (weft_engine_new(&config, &engine, &err) ||
            weft_instantiate(engine, p.module, nullptr, nullptr, &inst, &err)) {
            error = error_text(err);
            return false;
        }
        const char *name = quick_mode ? "run_quick" : "run";
        weft_extern ext;
        if (!weft_instance_export(inst, name, std::strlen(name), &ext) ||
            ext.kind != WEFT_EXTERN_FUNC) {
            error = std::string("no exported function ") + name;
            return false;
        }
        func = ext.of.func;
        return true;
    }

    bool call(uint32_t &out)
    {
        weft_value result;
        weft_error err;
        if (weft_call(engine, func, nullptr, 0, &result, 1, &err)) {
            error = error_text(err);
            return false;
        }
        out = static_cast<uint32_t>(result.of.i32);
        return true;
    }
};

void bench_run(benchmark::State &state, program *p, weft_dispatch dispatch, weft_bounds bounds)
{
    for (auto _ : state) {
        state.PauseTiming();
        run_context ctx;
        if (!ctx.setup(*p, dispatch, bounds)) {
            state.SkipWithError(ctx.error.c_str());
            break;
        }
        state.ResumeTiming();
        uint32_t sum;
        bool ok = ctx.call(sum);
        state.PauseTiming();
        if (!ok) {
            state.SkipWithError(("trap: " + ctx.error).c_str());
            break;
        }
        if (!p->have_expected) {
            p->expected = sum;
            p->have_expected = true;
        } else if (sum != p->expected) {
            std::fprintf(stderr, "CHECKSUM MISMATCH: %s %s/%s: got %u, expected %u\n",
                         p->name.c_str(), weft_dispatch_name(dispatch),
                         bounds == WEFT_BOUNDS_GUARD ? "guard" : "explicit", sum, p->expected);
            mismatch_seen = true;
            state.SkipWithError("checksum mismatch");
            break;
        }
        state.ResumeTiming();
    }
}

// Loads a module (decoding and validating it whole, as weft_module_load
// does) and lowers every defined function: the time from bytes in memory to
// IR, which is what a function's first call costs in all. Validation runs
// at load, once (a code section of a MiB or more on one thread per
// processor); lowering then only decodes each body again. The counters
// split the time: load_ns_per_byte and lower_ns_per_byte of code, and
// ns_per_byte for both, which bytes_per_second also gives.
void bench_lower(benchmark::State &state, const std::string *path, size_t code_bytes)
{
    std::ifstream in(*path, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    double load_ns = 0, lower_ns = 0;
    for (auto _ : state) {
        weft_module *m = nullptr;
        weft_error err;
        auto start = std::chrono::steady_clock::now();
        if (weft_module_load(bytes.data(), bytes.size(), &m, &err)) {
            state.SkipWithError(error_text(err).c_str());
            break;
        }
        auto loaded = std::chrono::steady_clock::now();
        uint32_t n = weft_module_func_count(m);
        for (uint32_t f = 0; f < n; f++)
            weft_module_dump_ir(m, f, nullptr, &err);  // Imports fail harmlessly.
        auto lowered = std::chrono::steady_clock::now();
        load_ns += std::chrono::duration<double, std::nano>(loaded - start).count();
        lower_ns += std::chrono::duration<double, std::nano>(lowered - loaded).count();
        state.PauseTiming();
        weft_module_free(m);
        state.ResumeTiming();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * code_bytes));
    if (state.iterations() > 0 && code_bytes > 0) {
        double per = static_cast<double>(state.iterations()) * static_cast<double>(code_bytes);
        state.counters["load_ns_per_byte"] = load_ns / per;
        state.counters["lower_ns_per_byte"] = lower_ns / per;
        state.counters["ns_per_byte"] = (load_ns + lower_ns) / per;
    }
    state.counters["code_bytes"] = static_cast<double>(code_bytes);
}

// The IR's size: every defined function lowered.
double ir_bytes(weft_module *m)
{
    double bytes = 0;
    uint32_t n = weft_module_func_count(m);
    for (uint32_t f = 0; f < n; f++) {
        size_t size = 0;
        weft_error err;
        if (weft_module_ir_size(m, f, &size, &err) == WEFT_OK)  // Imports fail harmlessly.
            bytes += static_cast<double>(size);
    }
    return bytes;
}

}  // namespace

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (std::strcmp(argv[i], "--quick") == 0) {
            quick_mode = true;
            for (int j = i; j + 1 < argc; j++)
                argv[j] = argv[j + 1];
            argc--;
            break;
        }
    const char *dir_env = std::getenv("WEFT_BENCH_DIR");
    std::string dir = dir_env ? dir_env : WEFT_BENCH_DIR;

    static std::vector<program> programs;
    static std::vector<std::string> paths;
    std::vector<std::string> names = split(WEFT_BENCH_PROGRAMS, ',');
    programs.resize(names.size());
    paths.resize(names.size());
    for (size_t i = 0; i < names.size(); i++) {
        program &p = programs[i];
        p.name = names[i];
        paths[i] = dir + "/" + p.name + ".import-free.wasm";
        weft_error err;
        if (weft_module_load_file(paths[i].c_str(), &p.module, &err)) {
            std::fprintf(stderr, "weft-bench: %s: %s\n", paths[i].c_str(), error_text(err).c_str());
            return 1;
        }
        p.code_bytes = code_section_size(read_file(paths[i]));
        unsigned sum;
        std::string line = read_file(dir + "/" + p.name + ".checksum");
        if (!quick_mode && std::sscanf(line.c_str(), "checksum: %u", &sum) == 1) {
            p.expected = sum;
            p.have_expected = true;
        }
        double ir = ir_bytes(p.module);
        std::printf("%-12s code %7zu bytes, IR %8.0f bytes (%.2fx code)\n", p.name.c_str(),
                    p.code_bytes, ir, p.code_bytes ? ir / static_cast<double>(p.code_bytes) : 0.0);
    }

    static const weft_dispatch dispatches[] = {WEFT_DISPATCH_DIRECT, WEFT_DISPATCH_INDIRECT,
                                               WEFT_DISPATCH_SWITCH, WEFT_DISPATCH_TAIL};
    static const weft_bounds bounds_modes[] = {WEFT_BOUNDS_GUARD, WEFT_BOUNDS_EXPLICIT};
    for (program &p : programs)
        for (weft_dispatch d : dispatches) {
            if (!weft_dispatch_available(d))
                continue;
            for (weft_bounds b : bounds_modes) {
                std::string name = "run/" + p.name + "/" + weft_dispatch_name(d) + "/" +
                                   (b == WEFT_BOUNDS_GUARD ? "guard" : "explicit");
                benchmark::RegisterBenchmark(name.c_str(), bench_run, &p, d, b)
                    ->Unit(benchmark::kMillisecond)
                    ->UseRealTime();
            }
        }
    for (size_t i = 0; i < programs.size(); i++)
        benchmark::RegisterBenchmark(("lower/" + programs[i].name).c_str(), bench_lower,
                                     &paths[i], programs[i].code_bytes)
            ->Unit(benchmark::kMicrosecond);

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();

    for (program &p : programs)
        weft_module_free(p.module);
    return mismatch_seen ? 1 : 0;
}
