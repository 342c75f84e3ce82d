package io.sparkdistill.pipeline.ingest;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkdistill.datasets.examples.ExampleTable;
import io.sparkdistill.pipeline.config.ConfigError;
import io.sparkdistill.pipeline.spark.LocalSparkTest;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class IngestTablesTest extends LocalSparkTest {
  /**
   * A split whose pixels exceed one array is refused before it is collected, with the count that
   * fits (the limit here stands in for 2^31 bytes: 14,000 images of 224x224x3 would need 2.1 GB).
   */
  @Test
  void aSplitLargerThanOneArrayIsRefusedBeforeCollecting() {
    StructType schema =
        new StructType()
            .add(ExampleTable.HEIGHT, DataTypes.IntegerType)
            .add(ExampleTable.WIDTH, DataTypes.IntegerType)
            .add(ExampleTable.CHANNELS, DataTypes.IntegerType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create(224, 224, 3));
    }
    Dataset<Row> split = spark.createDataFrame(rows, schema);

    assertThatCode(() -> IngestTables.checkFitsOneArray(split, "train", 10L * 224 * 224 * 3)).doesNotThrowAnyException();
    assertThatThrownBy(() -> IngestTables.checkFitsOneArray(split, "train", 10L * 224 * 224 * 3 - 1))
        .isInstanceOf(ConfigError.class)
        .hasMessageContaining("the 'train' split has 10 examples of 150528 pixel bytes (1505280 bytes)")
        .hasMessageContaining("keep at most 9 with teachers.<name>.train-examples or students.train-examples");
  }
}
