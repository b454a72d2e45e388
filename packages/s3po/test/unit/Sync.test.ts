import { S3PoMock } from "s3po"
import { syncSuite } from "../contract/sync.js"

syncSuite("S3PoMock sync", S3PoMock)
