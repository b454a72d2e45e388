import { S3PoMock } from "s3po"
import { contractSuite } from "./contract.js"

contractSuite("S3PoMock", S3PoMock)
