declare module 'echarts/dist/echarts.min.js' {
  const text: string;
  export default text;
}
declare module '*.css' {
  const text: string;
  export default text;
}
declare module '*/dashboard.js' {
  const text: string;
  export default text;
}
declare module '*/workbench.js' {
  const text: string;
  export default text;
}
declare module '*/pages.js' {
  const text: string;
  export default text;
}
declare module '*/signin.js' {
  const text: string;
  export default text;
}
/** infra/build/dashboard-echarts.ts's manifest (generated, not checked in): see EchartsManifest. */
declare module '*/generated/echarts.json' {
  const manifest: { file: string; version: string };
  export default manifest;
}
