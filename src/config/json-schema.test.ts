import Ajv2020Module from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "./json-schema.js";

describe("configJsonSchema", () => {
  it("is built once and describes the file as a user writes it", () => {
    const schema = configJsonSchema();
    expect(configJsonSchema()).toBe(schema);
    // ajv ships CommonJS: under NodeNext the class is the default export's `default`.
    const Ajv2020 = Ajv2020Module.default;
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(schema);
    expect(validate({})).toBe(true);
    expect(validate({ gateway: { port: 8080 } })).toBe(true);
    expect(validate({ gateway: { port: "x" } })).toBe(false);
    expect(validate({ bogus: 1 })).toBe(false);
  });
});
