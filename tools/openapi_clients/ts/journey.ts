// A partner's first steps with the client generated from docs/openapi.json (openapi-typescript's
// types, openapi-fetch's typed calls): sign in, register a person, read them back, find them in
// the list, read a code list; prints what it saw as one JSON object. `make clients` builds it.
//
//   PONTE_BASE_URL=http://127.0.0.1:8000 PONTE_USERNAME=... PONTE_PASSWORD=... \
//     node tools/openapi_clients/ts/generated/build/journey.js
import createClient from "openapi-fetch";

import type { components, paths } from "./generated/ponte.js";

type TokenForm = components["schemas"]["TokenForm"];
type Person = components["schemas"]["BeneficiaryRead"];

function setting(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    throw new Error(`set ${name}`);
  }
  return value;
}

// The token endpoint takes a form (OAuth 2), not JSON.
function formEncoded(form: TokenForm): URLSearchParams {
  const fields = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === "string") {
      fields.set(key, value);
    }
  }
  return fields;
}

function fail(step: string, status: number, problem: unknown): never {
  throw new Error(`${step}: HTTP ${status} ${JSON.stringify(problem)}`);
}

async function main(): Promise<void> {
  const baseUrl = setting("PONTE_BASE_URL", "http://127.0.0.1:8000");
  const familyName = setting("PONTE_FAMILY_NAME", `Typed-${Date.now()}`);
  const anonymous = createClient<paths>({ baseUrl });

  const signIn = await anonymous.POST("/api/v1/auth/token", {
    body: {
      grant_type: "password",
      username: setting("PONTE_USERNAME"),
      password: setting("PONTE_PASSWORD"),
    },
    bodySerializer: formEncoded,
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  if (signIn.data === undefined) fail("sign-in", signIn.response.status, signIn.error);

  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${signIn.data.access_token}` },
  });

  const registered = await api.POST("/api/v1/beneficiaries", {
    body: {
      given_name: "Amina",
      family_name: familyName,
      birth_date: "1994-03-18",
      nationality: "SN",
      needs: ["language", "employment"],
    },
  });
  if (registered.data === undefined) {
    fail("register", registered.response.status, registered.error);
  }
  const id = registered.data.id;

  const read = await api.GET("/api/v1/beneficiaries/{beneficiary_id}", {
    params: { path: { beneficiary_id: id } },
  });
  if (read.data === undefined) fail("read", read.response.status, read.error);
  const person: Person = read.data;

  const listed = await api.GET("/api/v1/beneficiaries", {
    params: { query: { q: familyName, limit: 50 } },
  });
  if (listed.data === undefined) fail("list", listed.response.status, listed.error);
  const listedIds = listed.data.items.map((item) => item.id);

  const countries = await api.GET("/api/v1/code-lists/{name}", {
    params: { path: { name: "countries" }, query: { lang: "it" } },
  });
  if (countries.data === undefined) {
    fail("code list", countries.response.status, countries.error);
  }
  const nationality = countries.data.items.find((item) => item.code === person.nationality);

  console.log(
    JSON.stringify({
      client: "typescript",
      registered_id: id,
      read_back: {
        id: person.id,
        given_name: person.given_name ?? null,
        family_name: person.family_name ?? null,
        birth_date: person.birth_date ?? null,
        needs: person.needs ?? [],
        status: person.status,
      },
      listed: listedIds.includes(id),
      listed_count: listedIds.length,
      code_list: {
        name: countries.data.name,
        language: countries.data.language,
        entries: countries.data.items.length,
        nationality_label: nationality?.label ?? null,
      },
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
