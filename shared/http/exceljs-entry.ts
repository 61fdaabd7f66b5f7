import ExcelJS from 'exceljs';

/**
 * The entry of the exceljs file that ships beside the report and case-list bundles
 * (infra/build/exceljs-chunk.ts): the library as one ES module with a default export.
 */
export default ExcelJS;
