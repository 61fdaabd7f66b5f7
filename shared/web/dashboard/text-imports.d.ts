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
declare module '*.br' {
  const bytes: Uint8Array;
  export default bytes;
}
