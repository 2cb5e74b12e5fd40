// ESLint flat config for the extension and the webviews (TypeScript, type-aware rules).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "build/**", "node_modules/**", ".venv/**", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ["extension/**/*.ts", "webviews/**/*.ts"],
    languageOptions: {
      parserOptions: {
        project: ["extension/tsconfig.json", "webviews/tsconfig.json"],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      eqeqeq: ["error", "always"],
      "no-restricted-syntax": [
        "error",
        { selector: "AssignmentExpression[left.property.name='innerHTML']", message: "webviews build DOM nodes, never innerHTML" },
      ],
    },
  },
  {
    // node:test's describe/it return promises that the runner awaits
    files: ["extension/test/**/*.ts"],
    rules: { "@typescript-eslint/no-floating-promises": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
