/** Stylesheets are bundled by esbuild next to each webview script. */
declare module "*.css";
