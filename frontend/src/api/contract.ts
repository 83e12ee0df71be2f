/**
 * Renders the meeting API's schemas (docs/openapi.json, generated from the API's own models) as
 * TypeScript, for `schemas.gen.ts`. Only the JSON Schema the API uses is understood; anything else
 * is refused by name, so a new construct cannot be typed wrongly in silence.
 */

export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  $ref?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  [keyword: string]: unknown;
}

export interface OpenApiDocument {
  components: { schemas: Record<string, JsonSchema> };
  [key: string]: unknown;
}

/** The command that rewrites schemas.gen.ts (frontend/package.json). */
export const REFRESH = "npm --prefix frontend run api-types";

export function renderSchemas(document: OpenApiDocument): string {
  const schemas = Object.entries(document.components.schemas).sort(([a], [b]) => a.localeCompare(b));
  const blocks = schemas.map(([name, schema]) => declaration(name, schema));
  return [
    "/**",
    " * The meeting API's schemas, generated from docs/openapi.json by contract.ts: do not edit.",
    ` * Refresh after the API's models change: ${REFRESH}`,
    " */",
    "",
    blocks.join("\n\n"),
    "",
  ].join("\n");
}

function declaration(name: string, schema: JsonSchema): string {
  const doc = comment(schema.description, "");
  if (schema.type === "object" && schema.properties) return `${doc}export interface ${name} ${objectType(schema, "", name)}`;
  return `${doc}export type ${name} = ${typeOf(schema, "", name)};`;
}

function typeOf(schema: JsonSchema, indent: string, where: string): string {
  if (schema.$ref !== undefined) {
    const prefix = "#/components/schemas/";
    if (!schema.$ref.startsWith(prefix)) throw new Error(`${where}: unsupported $ref ${schema.$ref}`);
    return schema.$ref.slice(prefix.length);
  }
  if (schema.anyOf) return schema.anyOf.map((option) => typeOf(option, indent, where)).join(" | ");
  if (schema.const !== undefined) return literal(schema.const, where);
  if (schema.enum) return schema.enum.map((value) => literal(value, where)).join(" | ");
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      if (!schema.items) throw new Error(`${where}: an array without items`);
      return `${wrap(typeOf(schema.items, indent, `${where}[]`))}[]`;
    case "object":
      if (schema.properties) return objectType(schema, indent, where);
      // An object the API passes through untouched (Chime's Meeting, say): its fields are not ours.
      if (schema.additionalProperties === true) return "Record<string, unknown>";
  }
  throw new Error(`${where}: unsupported schema ${JSON.stringify(schema)}`);
}

function objectType(schema: JsonSchema, indent: string, where: string): string {
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const fields = Object.entries(schema.properties ?? {}).map(([field, property]) => {
    const optional = required.has(field) ? "" : "?";
    return `${comment(property.description, inner)}${inner}${key(field)}${optional}: ${typeOf(property, inner, `${where}.${field}`)};`;
  });
  return `{\n${fields.join("\n")}\n${indent}}`;
}

function literal(value: unknown, where: string): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) {
    return JSON.stringify(value);
  }
  throw new Error(`${where}: unsupported literal ${JSON.stringify(value)}`);
}

function wrap(type: string): string {
  return type.includes(" | ") ? `(${type})` : type;
}

function key(field: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(field) ? field : JSON.stringify(field);
}

function comment(text: string | undefined, indent: string): string {
  return text ? `${indent}/** ${text.replaceAll("*/", "*\\/")} */\n` : "";
}
