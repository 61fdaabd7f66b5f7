/**
 * What an Aliyun SMS (Dysms) SendSms error code means for our retry: `permanent` when the request
 * will never be accepted as it is (the number, the template, the signature or the parameters are
 * refused: retrying sends nothing), `transient` when a later attempt may succeed (flow control,
 * system errors, an account or permission problem the operator can fix). Codes: the SendSms API
 * error codes (阿里云短信 API 错误码) and the OpenAPI gateway's common codes. A code not listed
 * is transient, so that nothing is dropped for a code we do not know yet. Pure.
 */
export const ALIYUN_ERRORS: Readonly<Record<string, 'transient' | 'permanent'>> = {
  // The number
  'isv.MOBILE_NUMBER_ILLEGAL': 'permanent',
  'isv.PHONE_NUMBER_ILLEGAL': 'permanent',
  'isv.MOBILE_COUNT_OVER_LIMIT': 'permanent',
  'isv.DOMESTIC_NUMBER_NOT_SUPPORTED': 'permanent',
  'isv.NOT_SUPPORTED_COUNTRY': 'permanent',
  // Template and signature not approved, or not this account's
  'isv.SMS_TEMPLATE_ILLEGAL': 'permanent',
  'isv.SMS_SIGNATURE_ILLEGAL': 'permanent',
  'isv.SMS_SIGN_ILLEGAL': 'permanent',
  'isv.SMS_SIGN_NAME_ILLEGAL': 'permanent',
  'isv.SMS_SIGNATURE_SCENE_ILLEGAL': 'permanent',
  'isv.TEMPLATE_PARAMS_ILLEGAL': 'permanent',
  'isv.SMS_CONTENT_ILLEGAL': 'permanent',
  // Parameters refused (missing, too long, a link, blacklisted words)
  'isv.TEMPLATE_MISSING_PARAMETERS': 'permanent',
  'isv.INVALID_PARAMETERS': 'permanent',
  'isv.INVALID_JSON_PARAM': 'permanent',
  'isv.PARAM_LENGTH_LIMIT': 'permanent',
  'isv.PARAM_NOT_SUPPORT_URL': 'permanent',
  'isv.BLACK_KEY_CONTROL_LIMIT': 'permanent',
  'isv.EXTEND_CODE_ERROR': 'permanent',
  MissingPhoneNumbers: 'permanent',
  MissingSignName: 'permanent',
  MissingTemplateCode: 'permanent',
  // Flow control: the same number too often (per minute, hour, day), the account's daily cap
  'isv.BUSINESS_LIMIT_CONTROL': 'transient',
  'isv.DAY_LIMIT_CONTROL': 'transient',
  'Throttling.User': 'transient',
  'Throttling.Api': 'transient',
  Throttling: 'transient',
  // System errors
  'isp.SYSTEM_ERROR': 'transient',
  'isp.GATEWAY_ERROR': 'transient',
  'isp.UNKNOWN': 'transient',
  ServiceUnavailable: 'transient',
  InternalError: 'transient',
  // Account, balance and permission: the operator fixes them, the message is still wanted
  'isv.OUT_OF_SERVICE': 'transient',
  'isv.AMOUNT_NOT_ENOUGH': 'transient',
  'isv.ACCOUNT_NOT_EXISTS': 'transient',
  'isv.ACCOUNT_ABNORMAL': 'transient',
  'isv.PRODUCT_UN_SUBSCRIPT': 'transient',
  'isv.PRODUCT_UNSUBSCRIBE': 'transient',
  'isp.RAM_PERMISSION_DENY': 'transient',
  'isv.DENY_IP_RANGE': 'transient',
  SignatureDoesNotMatch: 'transient',
  'InvalidAccessKeyId.NotFound': 'transient',
  'InvalidAccessKeyId.Inactive': 'transient',
};

export function classifyAliyunError(code: string): 'transient' | 'permanent' {
  return (Object.hasOwn(ALIYUN_ERRORS, code) && ALIYUN_ERRORS[code]) || 'transient';
}
