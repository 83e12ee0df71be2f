import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { REFRESH, renderSchemas, type OpenApiDocument } from "./contract";

const openapi = (): OpenApiDocument => JSON.parse(readFileSync(new URL("../../../docs/openapi.json", import.meta.url), "utf8"));

describe("the web client's API types come from docs/openapi.json", () => {
  it(`schemas.gen.ts is what the document gives (else: ${REFRESH})`, async () => {
    await expect(renderSchemas(openapi())).toMatchFileSnapshot("./schemas.gen.ts");
  });
});

describe("renderSchemas", () => {
  const render = (schemas: OpenApiDocument["components"]["schemas"]) => renderSchemas({ components: { schemas } });

  it("types every field with its nullability, optionality, enums and references", () => {
    const out = render({
      Thing: {
        type: "object",
        properties: {
          id: { type: "string", description: "Its id" },
          size: { type: "integer" },
          kind: { type: "string", enum: ["a", "b"] },
          fixed: { type: "string", const: "ok" },
          note: { anyOf: [{ type: "string" }, { type: "null" }] },
          parts: { type: "array", items: { $ref: "#/components/schemas/Part" } },
          extra: { type: "object", additionalProperties: true },
          "odd-name": { type: "boolean" },
        },
        required: ["id", "size", "kind", "fixed", "note", "parts", "extra", "odd-name"],
      },
      Part: { type: "object", properties: { at: { anyOf: [{ type: "number" }, { type: "null" }] } } },
    });
    expect(out).toContain(
      [
        "export interface Thing {",
        "  /** Its id */",
        "  id: string;",
        "  size: number;",
        '  kind: "a" | "b";',
        '  fixed: "ok";',
        "  note: string | null;",
        "  parts: Part[];",
        "  extra: Record<string, unknown>;",
        '  "odd-name": boolean;',
        "}",
      ].join("\n"),
    );
    // Not required: optional, and still nullable.
    expect(out).toContain("export interface Part {\n  at?: number | null;\n}");
    // Sorted by name, so the file changes only where the document does.
    expect(out.indexOf("interface Part")).toBeLessThan(out.indexOf("interface Thing"));
  });

  it("refuses what it does not understand, naming where", () => {
    expect(() => render({ T: { type: "object", properties: { x: { oneOf: [] } } } })).toThrow(/^T\.x: unsupported schema/);
    expect(() => render({ T: { $ref: "other.json#/X" } })).toThrow("T: unsupported $ref other.json#/X");
  });
});
