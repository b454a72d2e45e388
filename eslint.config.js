import effect from "@effect/eslint-plugin"
import js from "@eslint/js"
import tseslint from "typescript-eslint"

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/build/**",
      "**/dist/**",
      "scratchpad/**",
      ".rgw/**",
      "**/*.tmp.*",
      "**/api-docs/**"
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { "@effect": effect },
    rules: {
      "@effect/dprint": ["error", {
        config: {
          indentWidth: 2,
          lineWidth: 120,
          semiColons: "asi",
          quoteStyle: "alwaysDouble",
          trailingCommas: "never",
          operatorPosition: "maintain",
          "arrowFunction.useParentheses": "force"
        }
      }],
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-constant-condition": "off",
      "@typescript-eslint/no-namespace": "off"
    }
  },
  {
    files: ["packages/s3po/src/**/*.ts"],
    rules: {
      // A function that needs more lines mixes levels: split it.
      "max-lines-per-function": ["error", { max: 80 }],
      "no-restricted-syntax": ["error", {
        selector: "TSAsExpression > TSAsExpression[typeAnnotation.type='TSUnknownKeyword']",
        message: "A double cast hides a type error: type the value, or narrow it."
      }]
    }
  }
)
