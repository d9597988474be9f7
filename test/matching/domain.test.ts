import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AmountError,
  type AmountErrorCode,
  formatAmount,
  formatDecimal,
  INT64_MAX,
  INT64_MIN,
  parseAmount,
  parseDecimal,
} from "../../engine/domain/amount.ts";
import { ASSETS, assetByCode, assetById, BTC, ETH, USDT } from "../../engine/domain/assets.ts";
import {
  fee,
  formatPrice,
  formatQty,
  MoneyError,
  maxQtyForQuote,
  parsePrice,
  parseQty,
  quoteCost,
} from "../../engine/domain/money.ts";
import {
  BTC_USDT,
  DEFAULT_FEES,
  ETH_USDT,
  SYMBOLS,
  symbolById,
  symbolByName,
} from "../../engine/domain/symbols.ts";

function codeOf(f: () => unknown): AmountErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof AmountError ? e.code : "other-error";
  }
}

describe("asset and symbol tables", () => {
  it("match DOMAIN.md", () => {
    expect(ASSETS.map((a) => [a.code, a.id, a.decimals, a.requestDecimals])).toEqual([
      ["BTC", 1, 8, 8],
      ["USDT", 2, 8, 6],
      ["ETH", 3, 8, 8],
    ]);
    expect(SYMBOLS.map((s) => [s.name, s.id, s.base.code, s.quote.code, s.tickText, s.lotText])).toEqual([
      ["BTC_USDT", 0, "BTC", "USDT", "0.01", "0.00001"],
      ["ETH_USDT", 1, "ETH", "USDT", "0.01", "0.0001"],
    ]);
    expect(DEFAULT_FEES).toEqual({ maker_bps: 10, taker_bps: 20 });
    for (const s of SYMBOLS) expect(s.fees).toEqual(DEFAULT_FEES);
  });

  it("tick and lot in minor units agree with their decimal texts", () => {
    for (const s of SYMBOLS) {
      expect(parseDecimal(s.tickText, s.quote.decimals, s.quote.decimals)).toBe(s.tick);
      expect(parseDecimal(s.lotText, s.base.decimals, s.base.decimals)).toBe(s.lot);
      // tick * lot divisible by 10^baseDecimals: every fill's quote cost is exact.
      expect((s.tick * s.lot) % 10n ** BigInt(s.base.decimals)).toBe(0n);
    }
    expect(BTC_USDT.tick).toBe(1_000_000n);
    expect(BTC_USDT.lot).toBe(1_000n);
    expect(ETH_USDT.lot).toBe(10_000n);
  });

  it("lookups work and fail clearly", () => {
    expect(assetByCode("USDT")).toBe(USDT);
    expect(assetById(3)).toBe(ETH);
    expect(symbolByName("ETH_USDT")).toBe(ETH_USDT);
    expect(symbolById(0)).toBe(BTC_USDT);
    expect(() => assetByCode("DOGE")).toThrow(/unknown asset "DOGE" \(known: BTC, USDT, ETH\)/);
    expect(() => assetById(9)).toThrow(/unknown asset id 9/);
    expect(() => symbolByName("BTCUSDT")).toThrow(/unknown symbol "BTCUSDT"/);
    expect(() => symbolById(2)).toThrow(/unknown symbol id 2/);
  });

  it("tables are frozen", () => {
    expect(Object.isFrozen(BTC)).toBe(true);
    expect(Object.isFrozen(ASSETS)).toBe(true);
    expect(Object.isFrozen(BTC_USDT)).toBe(true);
    expect(Object.isFrozen(SYMBOLS)).toBe(true);
  });
});

describe("parseAmount / formatAmount: examples", () => {
  it("parses to minor units", () => {
    expect(parseAmount("1", "BTC")).toBe(100_000_000n);
    expect(parseAmount("8999.99", BTC)).toBe(899_999_000_000n);
    expect(parseAmount("0.00000001", "BTC")).toBe(1n);
    expect(parseAmount("1000000", "USDT")).toBe(100_000_000_000_000n);
    expect(parseAmount("0.000001", "USDT")).toBe(100n);
    expect(parseAmount("007.50", "ETH")).toBe(750_000_000n);
    expect(parseAmount("1.500000000000", "USDT")).toBe(150_000_000n); // trailing zeros carry no precision
    expect(parseAmount("0", "BTC", { allowZero: true })).toBe(0n);
    expect(parseAmount("-0", "BTC", { allowZero: true })).toBe(0n);
    expect(parseAmount("-2.5", "BTC", { allowNegative: true })).toBe(-250_000_000n);
  });

  it("formats minimally", () => {
    expect(formatAmount(899_999_000_000n, "BTC")).toBe("8999.99");
    expect(formatAmount(0n, "BTC")).toBe("0");
    expect(formatAmount(50_000_000n, "BTC")).toBe("0.5");
    expect(formatAmount(100_000_000n, "USDT")).toBe("1");
    expect(formatAmount(1n, "ETH")).toBe("0.00000001");
    expect(formatAmount(-250_000_000n, "BTC")).toBe("-2.5");
    expect(formatDecimal(123n, 0)).toBe("123");
    expect(formatAmount(INT64_MAX, "BTC")).toBe("92233720368.54775807");
    expect(formatAmount(INT64_MIN, "BTC")).toBe("-92233720368.54775808");
  });

  it.each([
    ["", "not-decimal"],
    [".5", "not-decimal"],
    ["5.", "not-decimal"],
    ["+5", "not-decimal"],
    ["1e3", "not-decimal"],
    [" 5", "not-decimal"],
    ["5 ", "not-decimal"],
    ["0x10", "not-decimal"],
    ["1_000", "not-decimal"],
    ["1,5", "not-decimal"],
    ["--1", "not-decimal"],
    ["NaN", "not-decimal"],
    ["Infinity", "not-decimal"],
    ["１", "not-decimal"],
    ["1.0000001", "too-many-decimals"],
    ["0.0000001", "too-many-decimals"],
    ["92233720368.54775807", "too-many-decimals"],
    ["92233720369", "out-of-range"],
    ["99999999999999999999999", "out-of-range"],
    ["0", "zero"],
    ["0.000000", "zero"],
    ["-1", "negative"],
  ] as const)("USDT %j -> %s", (text, code) => {
    expect(codeOf(() => parseAmount(text, "USDT"))).toBe(code);
  });

  it("range limits are exactly int64", () => {
    expect(parseAmount("92233720368.54775807", "BTC")).toBe(INT64_MAX);
    expect(codeOf(() => parseAmount("92233720368.54775808", "BTC"))).toBe("out-of-range");
    expect(parseAmount("-92233720368.54775808", "BTC", { allowNegative: true })).toBe(INT64_MIN);
    expect(codeOf(() => parseAmount("-92233720368.54775809", "BTC", { allowNegative: true }))).toBe(
      "out-of-range",
    );
  });

  it("non-strings are not decimals", () => {
    expect(codeOf(() => parseAmount(5 as unknown as string, "BTC"))).toBe("not-decimal");
    expect(codeOf(() => parseAmount(null as unknown as string, "BTC"))).toBe("not-decimal");
  });

  it("errors name the field, the asset and the input", () => {
    expect(() => parseAmount("1.1234567", "USDT")).toThrow(
      'amount (USDT) "1.1234567" has 7 decimals; at most 6 are accepted',
    );
    expect(() => parseAmount("abc", "BTC", { label: "withdraw amount" })).toThrow(
      /withdraw amount \(BTC\) "abc" is not a decimal number/,
    );
    expect(() => parseAmount("0", "ETH")).toThrow(/must be greater than zero/);
    const e = (() => {
      try {
        parseAmount("-3", "ETH");
      } catch (err) {
        return err as AmountError;
      }
    })();
    expect(e?.name).toBe("AmountError");
    expect(e?.code).toBe("negative");
    expect(e?.input).toBe("-3");
  });
});

/** Any int64 that a request of `requestDecimals` can express at `decimals` kept. */
const int64 = fc.bigInt({ min: INT64_MIN, max: INT64_MAX });

describe("parseAmount / formatAmount: properties", () => {
  for (const asset of ASSETS) {
    const step = 10n ** BigInt(asset.decimals - asset.requestDecimals);
    const representable = int64.map((v) => (v / step) * step);

    it(`${asset.code}: parse(format(v)) = v for every representable int64`, () => {
      fc.assert(
        fc.property(representable, (v) => {
          expect(parseAmount(formatAmount(v, asset), asset, { allowZero: true, allowNegative: true })).toBe(
            v,
          );
        }),
        { numRuns: 2000 },
      );
    });

    it(`${asset.code}: format(parse(s)) is the canonical form of s`, () => {
      const text = fc
        .tuple(
          fc.boolean(),
          fc.stringMatching(/^[0-9]{1,10}$/),
          fc.option(fc.stringMatching(new RegExp(`^[0-9]{1,${asset.requestDecimals}}$`)), { nil: undefined }),
        )
        .map(([neg, i, f]) => `${neg ? "-" : ""}${i}${f === undefined ? "" : `.${f}`}`);
      fc.assert(
        fc.property(text, (s) => {
          const v = parseAmount(s, asset, { allowZero: true, allowNegative: true });
          const canonical = formatAmount(v, asset);
          // canonical has no leading zeros, no trailing fraction zeros, no "-0"
          expect(canonical).toMatch(/^(0|-?[1-9][0-9]*(\.[0-9]*[1-9])?|-?0\.[0-9]*[1-9])$/);
          expect(parseAmount(canonical, asset, { allowZero: true, allowNegative: true })).toBe(v);
          expect(formatAmount(v, asset)).toBe(canonical);
        }),
        { numRuns: 2000 },
      );
    });

    it(`${asset.code}: anything outside int64 is out-of-range, anything finer than the request decimals too precise`, () => {
      fc.assert(
        fc.property(fc.bigInt({ min: INT64_MAX + 1n, max: INT64_MAX * 1000n }), fc.boolean(), (v, neg) => {
          const x = neg ? -v - 1n : v;
          expect(
            codeOf(() => parseAmount(formatDecimal(x, asset.decimals), asset, { allowNegative: true })),
          ).toBe((neg ? -x : x) % step === 0n ? "out-of-range" : "too-many-decimals");
        }),
      );
      if (step > 1n) {
        fc.assert(
          fc.property(representable, fc.bigInt({ min: 1n, max: step - 1n }), (v, r) => {
            const x = v >= 0n ? v - step + r : v + r;
            fc.pre(x !== 0n);
            expect(
              codeOf(() => parseAmount(formatDecimal(x, asset.decimals), asset, { allowNegative: true })),
            ).toBe("too-many-decimals");
          }),
        );
      }
    });
  }

  it("format matches a float-free textual model for random scales", () => {
    fc.assert(
      fc.property(int64, fc.integer({ min: 0, max: 18 }), (v, scale) => {
        const s = formatDecimal(v, scale);
        const abs = (v < 0n ? -v : v).toString().padStart(scale + 1, "0");
        const ip = abs.slice(0, abs.length - scale);
        const fp = abs.slice(abs.length - scale).replace(/0+$/, "");
        expect(s).toBe(`${v < 0n ? "-" : ""}${ip}${fp ? `.${fp}` : ""}`);
        expect(parseDecimal(s, scale, scale, { allowZero: true, allowNegative: true })).toBe(v);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("money", () => {
  it("price representation: quote minor units per whole base unit", () => {
    expect(parsePrice(BTC_USDT, "50000")).toBe(50000n * 10n ** 8n);
    expect(parsePrice(BTC_USDT, "50000.01")).toBe(5_000_001_000_000n);
    expect(formatPrice(BTC_USDT, 5_000_001_000_000n)).toBe("50000.01");
    expect(codeOf(() => parsePrice(BTC_USDT, "50000.001"))).toBe("not-tick-multiple");
    expect(codeOf(() => parsePrice(BTC_USDT, "50000.0000001"))).toBe("too-many-decimals");
    expect(codeOf(() => parsePrice(BTC_USDT, "0"))).toBe("zero");
    expect(() => parsePrice(BTC_USDT, "1.005")).toThrow(/not a multiple of the tick 0.01/);
    expect(parseQty(BTC_USDT, "0.01")).toBe(1_000_000n);
    expect(formatQty(BTC_USDT, 1_000_000n)).toBe("0.01");
    expect(codeOf(() => parseQty(BTC_USDT, "0.000001"))).toBe("not-lot-multiple");
    expect(codeOf(() => parseQty(ETH_USDT, "0.00001"))).toBe("not-lot-multiple");
    expect(() => parseQty(ETH_USDT, "0.00001")).toThrow(/lot 0.0001/);
  });

  it("quote cost is scaled once and exactly", () => {
    // 0.01 BTC at 50000 USDT = 500 USDT (the original system overstated this a hundredfold)
    expect(quoteCost(parsePrice(BTC_USDT, "50000"), parseQty(BTC_USDT, "0.01"), 8)).toBe(
      parseAmount("500", "USDT"),
    );
    // smallest tick times smallest lot: 0.01 * 0.00001 = 0.0000001 USDT = 10 minor units
    expect(quoteCost(BTC_USDT.tick, BTC_USDT.lot, 8)).toBe(10n);
    expect(quoteCost(ETH_USDT.tick, ETH_USDT.lot, 8)).toBe(100n);
    expect(quoteCost(0n, 5n, 8)).toBe(0n);
    expect(() => quoteCost(1n, 1n, 8)).toThrow(MoneyError);
    expect(() => quoteCost(-1n, 1n, 8)).toThrow(/negative/);
  });

  it("quote cost is exact for every on-tick price and on-lot qty", () => {
    for (const s of SYMBOLS) {
      fc.assert(
        fc.property(
          fc.bigInt({ min: 1n, max: 10n ** 9n }),
          fc.bigInt({ min: 1n, max: 10n ** 9n }),
          (pt, ql) => {
            const price = pt * s.tick;
            const qty = ql * s.lot;
            const c = quoteCost(price, qty, s.base.decimals);
            expect(c * 10n ** BigInt(s.base.decimals)).toBe(price * qty);
          },
        ),
      );
    }
  });

  it("fee rounds down, never exceeds the rate, never negative", () => {
    expect(fee(10_000n, 10)).toBe(10n);
    expect(fee(9_999n, 10)).toBe(9n);
    expect(fee(999n, 10)).toBe(0n);
    expect(fee(12_345n, 20n)).toBe(24n);
    expect(fee(0n, 20)).toBe(0n);
    expect(fee(5n, 10_000)).toBe(5n);
    expect(() => fee(-1n, 10)).toThrow(MoneyError);
    expect(() => fee(1n, 10.5)).toThrow(/bps/);
    expect(() => fee(1n, -1)).toThrow(/bps/);
    expect(() => fee(1n, 10_001)).toThrow(/bps/);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: INT64_MAX }), fc.integer({ min: 0, max: 10_000 }), (a, bps) => {
        const f = fee(a, bps);
        expect(f >= 0n).toBe(true);
        expect(f <= a).toBe(true);
        expect(f * 10_000n <= a * BigInt(bps)).toBe(true); // never more than the rate
        expect((f + 1n) * 10_000n > a * BigInt(bps)).toBe(true); // and the largest such
      }),
    );
  });

  it("maxQtyForQuote is the most lots the budget pays for", () => {
    const p = parsePrice(BTC_USDT, "50000");
    expect(maxQtyForQuote(p, parseAmount("500", "USDT"), 8, BTC_USDT.lot)).toBe(parseQty(BTC_USDT, "0.01"));
    expect(maxQtyForQuote(p, parseAmount("499.99", "USDT"), 8, BTC_USDT.lot)).toBe(
      parseQty(BTC_USDT, "0.00999"),
    );
    expect(maxQtyForQuote(p, 0n, 8, BTC_USDT.lot)).toBe(0n);
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 8n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        (pt, budget) => {
          const price = pt * BTC_USDT.tick;
          const q = maxQtyForQuote(price, budget, 8, BTC_USDT.lot);
          expect(q % BTC_USDT.lot).toBe(0n);
          expect(quoteCost(price, q, 8) <= budget).toBe(true);
          expect(quoteCost(price, q + BTC_USDT.lot, 8) > budget).toBe(true);
        },
      ),
    );
  });
});
